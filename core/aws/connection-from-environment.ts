import type { AwsConnection } from './clients.js';

/**
 * Where the AWS clients point, from the Lambda environment. On AWS only the
 * region is needed (credentials come from the function's role); for local runs
 * (`osls invoke local`, the emulators) FLINKLESS_ENDPOINT_* override endpoints.
 */
export function connectionFromEnvironment(env: Record<string, string | undefined>): AwsConnection {
  const endpoints = {
    ...(env.FLINKLESS_ENDPOINT_KINESIS ? { kinesis: env.FLINKLESS_ENDPOINT_KINESIS } : {}),
    ...(env.FLINKLESS_ENDPOINT_DYNAMODB ? { dynamodb: env.FLINKLESS_ENDPOINT_DYNAMODB } : {}),
    ...(env.FLINKLESS_ENDPOINT_S3 ? { s3: env.FLINKLESS_ENDPOINT_S3 } : {}),
  };
  const local = Object.keys(endpoints).length > 0;
  return {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(local ? { endpoints } : {}),
    ...(local && env.FLINKLESS_LOCAL_CREDENTIALS !== 'false'
      ? { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }
      : {}),
  };
}
