import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/** The part of a Koa context this middleware touches (s3rver is a Koa app). */
export interface KoaContext {
  method: string;
  path: string;
  req: IncomingMessage | Readable;
  status: number;
  type: string;
  body: unknown;
  get(field: string): string;
}

export type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

const HEADER = 'x-amz-checksum-sha256';

/**
 * What s3rver 3.7.1 lacks and S3 does: a PutObject or UploadPart whose body does
 * not hash to its `x-amz-checksum-sha256` is refused with 400 BadDigest and
 * nothing is stored. Installed in front of s3rver's own middleware, it buffers
 * the body, checks it, and hands s3rver the same bytes as a fresh stream.
 * Trailing checksums (aws-chunked bodies) are not checked: our clients send
 * the checksum as a header (requestChecksumCalculation WHEN_REQUIRED).
 */
export function checksumSha256Verification(): KoaMiddleware {
  return async function verifyChecksumSha256(ctx, next) {
    const expected = ctx.get(HEADER);
    if (ctx.method !== 'PUT' || !expected || ctx.get('content-encoding').includes('aws-chunked')) {
      return next();
    }
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (Buffer.from(expected, 'base64').length !== 32) {
      return refuse(ctx, 'InvalidRequest', `Value for ${HEADER} header is invalid.`);
    }
    if (createHash('sha256').update(body).digest('base64') !== expected) {
      return refuse(ctx, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
    }
    // s3rver's controllers read ctx.req itself; the original stream is spent.
    ctx.req = Readable.from([body], { objectMode: false });
    return next();
  };
}

function refuse(ctx: KoaContext, code: string, message: string): void {
  ctx.status = 400;
  ctx.type = 'application/xml';
  ctx.body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message>` +
    `<Resource>${escapeXml(ctx.path)}</Resource><RequestId>${randomBytes(8).toString('hex').toUpperCase()}</RequestId></Error>`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
