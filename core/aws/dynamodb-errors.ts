export { translateAwsError as translateDynamoError } from './errors.js';
