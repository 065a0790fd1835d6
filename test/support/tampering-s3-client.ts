import type { S3Client } from '@aws-sdk/client-s3';
import { emulatorClients } from './emulators.js';

export interface TamperedRequest {
  /** PutObject or UploadPart, from the query string. */
  operation: 'PutObject' | 'UploadPart';
  partNumber?: number;
}

/**
 * An emulator S3 client whose requests are corrupted in transit: after the SDK
 * has set `x-amz-checksum-sha256` and signed, a copy of the body with one byte
 * flipped is what goes on the wire, when `tamper` says so. The caller's bytes are
 * never touched, so a retry sends them intact.
 */
export function tamperingS3Client(tamper: (request: TamperedRequest) => boolean): {
  client: S3Client;
  tampered: TamperedRequest[];
} {
  const client = emulatorClients().s3;
  const tampered: TamperedRequest[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as {
        headers: Record<string, string>;
        query: Record<string, string | string[] | null>;
        body: unknown;
      };
      const checksum = request.headers['x-amz-checksum-sha256'];
      if (checksum && request.body instanceof Uint8Array && request.body.length > 0) {
        const partNumber = request.query.partNumber;
        const seen: TamperedRequest =
          partNumber === undefined
            ? { operation: 'PutObject' }
            : { operation: 'UploadPart', partNumber: Number(partNumber) };
        if (tamper(seen)) {
          tampered.push(seen);
          const copy = new Uint8Array(request.body);
          const at = Math.floor(copy.length / 2);
          copy[at] = (copy[at] ?? 0) ^ 0x01;
          request.body = copy;
        }
      }
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'tamperInTransit' },
  );
  return { client, tampered };
}
