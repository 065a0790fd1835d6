import type { AwsConnection } from '../core/aws/clients.js';
import type { EmulatorEndpoints } from './emulators.js';

/** Credentials every emulator accepts (s3rver checks them; the others ignore them). */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const EMULATOR_REGION = 'us-east-1';

export function emulatorConnection(endpoints: EmulatorEndpoints): AwsConnection {
  return {
    region: EMULATOR_REGION,
    endpoints,
    credentials: EMULATOR_CREDENTIALS,
    requestTimeoutMs: 15_000,
    maxAttempts: 3,
  };
}
