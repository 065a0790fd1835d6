/** Where a snapshot's bytes live and how to check them. */
export interface SnapshotRef {
  /** Object key inside the store (bucket-relative for S3). */
  key: string;
  /** Lowercase hex SHA-256 of the whole file. */
  sha256: string;
  sizeBytes: number;
}

export interface StoredObject {
  key: string;
  sizeBytes: number;
  lastModifiedMs: number;
}

export interface PutOptions {
  /**
   * Lowercase hex SHA-256 the caller computed from its own bytes. The store
   * refuses bytes that arrive different (UploadCorruptedError, retryable, nothing
   * stored), as S3 refuses a body that does not match its ChecksumSHA256.
   * Absent: the store hashes the bytes it was handed, before any I/O.
   */
  sha256?: string;
}

export interface SnapshotStore {
  /**
   * Writes bytes under a key that is never reused. Large bodies go up in parts
   * (multipart) sized by the write buffer. Returns the reference with the SHA-256,
   * which the store verified the received bytes against: a ref returned by put is
   * trusted for size and hash without reading the object back. Keeps no reference
   * to `bytes` once the promise resolves (copy them to keep them): the caller
   * reuses that memory for its next snapshot.
   */
  put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<SnapshotRef>;
  /**
   * Reads and verifies size and SHA-256 against the reference. Mismatch:
   * CheckpointError('SNAPSHOT_CORRUPT'). Missing: NotFoundError.
   */
  get(ref: SnapshotRef): Promise<Uint8Array>;
  /**
   * Reads a small object by key alone, unverified: for a file that carries its
   * own checks (a savepoint's `_metadata`, read by a deployment that knows only
   * its path). Missing: NotFoundError.
   */
  getObject(key: string): Promise<Uint8Array>;
  /** Deletes keys; absent keys are not an error (deletes are retried). */
  delete(keys: string[]): Promise<void>;
  /** Lists every object under a prefix (paginates). */
  list(prefix: string): AsyncIterable<StoredObject>;
}
