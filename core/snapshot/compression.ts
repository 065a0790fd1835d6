/**
 * zstd for snapshot payloads. One compressor and one decompressor per process,
 * reused: creating a zstd context per snapshot costs more than small snapshots.
 */
import { Compressor, Decompressor } from 'zstd-napi';

export const DEFAULT_ZSTD_LEVEL = 3;
export const MIN_ZSTD_LEVEL = 1;
export const MAX_ZSTD_LEVEL = 19;

let compressor: Compressor | undefined;
let decompressor: Decompressor | undefined;

/** One zstd frame with the content size in its header; same input and level, same bytes. */
export function compressZstd(payload: Uint8Array, level: number): Uint8Array {
  compressor ??= new Compressor();
  compressor.setParameters({ compressionLevel: level, contentSizeFlag: true, checksumFlag: false });
  return compressor.compress(payload);
}

/** Throws whatever zstd throws on a damaged frame; the caller translates it. */
export function decompressZstd(stored: Uint8Array): Uint8Array {
  decompressor ??= new Decompressor();
  return decompressor.decompress(stored);
}
