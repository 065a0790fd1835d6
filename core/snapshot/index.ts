export { type DecodedSnapshot, decodeSnapshot } from './decode.js';
export { type EncodeOptions, encodeSnapshot } from './encode.js';
export {
  SnapshotCorruptError,
  type SnapshotCorruption,
  type SnapshotHeaderField,
  SnapshotVersionUnsupportedError,
} from './errors.js';
export {
  readSnapshotHeader,
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_HEADER_SIZE_BYTES,
  type SnapshotCodec,
  type SnapshotCompression,
  type SnapshotHeader,
} from './format.js';
export { SnapshotOutputBuffer } from './output-buffer.js';
export { sha256Hex } from './sha256.js';
