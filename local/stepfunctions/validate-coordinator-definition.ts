import aslValidator from 'asl-validator';
import { type JsonValue, loadCoordinatorDefinitionTemplate } from '../../infra/coordinator-definition.js';

/**
 * asl-validator's findings on a coordinator definition, as "code: message" lines;
 * empty when valid. Checks paths and Task ARNs, as serverless-step-functions'
 * `validate: true` does. Defaults to the stored file, placeholders included.
 */
export function validateCoordinatorDefinition(
  definition: JsonValue = loadCoordinatorDefinitionTemplate(),
): string[] {
  // asl-validator writes QueryLanguage into every state it sees: validate a copy.
  const { errors } = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });
  return errors.map((error) => `${error['Error code']}: ${error.Message}`);
}
