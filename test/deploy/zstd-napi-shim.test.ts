import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Compressor as NativeCompressor, Decompressor as NativeDecompressor } from 'zstd-napi';

/**
 * infra/bundle/zstd-napi-shim.cjs replaces zstd-napi in the deployed (arm64) bundle.
 * Both must read each other's frames, or a checkpoint written by one could not be
 * restored by the other.
 */

interface ZstdShim {
  Compressor: new () => {
    setParameters(p: { compressionLevel?: number; contentSizeFlag?: boolean; checksumFlag?: boolean }): void;
    compress(payload: Uint8Array): Uint8Array;
  };
  Decompressor: new () => { decompress(stored: Uint8Array): Uint8Array };
}

const shim = createRequire(import.meta.url)('../../infra/bundle/zstd-napi-shim.cjs') as ZstdShim;

function payload(sizeBytes: number): Uint8Array {
  const bytes = new Uint8Array(sizeBytes);
  for (let i = 0; i < sizeBytes; i++) bytes[i] = (i * 31 + (i >> 7)) % 251;
  return bytes;
}

describe('zstd-napi shim for the deployed bundle', () => {
  it('writes frames that zstd-napi reads back byte for byte', () => {
    const original = payload(64 * 1024);
    const compressor = new shim.Compressor();
    compressor.setParameters({ compressionLevel: 3, contentSizeFlag: true, checksumFlag: false });

    const frame = compressor.compress(original);

    expect(frame.length).toBeLessThan(original.length);
    expect(Buffer.from(new NativeDecompressor().decompress(Buffer.from(frame)))).toEqual(
      Buffer.from(original),
    );
  });

  it('reads frames that zstd-napi wrote', () => {
    const original = payload(10_000);
    const native = new NativeCompressor();
    native.setParameters({ compressionLevel: 19, contentSizeFlag: true, checksumFlag: false });

    const restored = new shim.Decompressor().decompress(native.compress(Buffer.from(original)));

    expect(Buffer.from(restored)).toEqual(Buffer.from(original));
  });

  it('applies the compression level it is given', () => {
    const original = payload(256 * 1024);
    const fast = new shim.Compressor();
    fast.setParameters({ compressionLevel: 1 });
    const strong = new shim.Compressor();
    strong.setParameters({ compressionLevel: 19 });

    const sizes = [fast.compress(original).length, strong.compress(original).length];

    expect(sizes[1]).toBeLessThan(sizes[0] ?? 0);
  });
});
