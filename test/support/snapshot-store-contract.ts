import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isCheckpointError } from '../../core/errors/index.js';
import type { SnapshotStore, StoredObject } from '../../core/ports/snapshot-store.js';

/** What the shared SnapshotStore contract needs from one implementation. */
export interface SnapshotStoreHarness {
  store: SnapshotStore;
  /** Replaces the stored bytes of `key` behind the store's back. */
  overwrite(key: string, bytes: Uint8Array): Promise<void>;
}

export async function collect(objects: AsyncIterable<StoredObject>): Promise<StoredObject[]> {
  const all: StoredObject[] = [];
  for await (const object of objects) all.push(object);
  return all;
}

export async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** One behaviour, every SnapshotStore: the S3 adapter and its in-memory double run the same tests. */
export function describeSnapshotStoreContract(name: string, setup: () => Promise<SnapshotStoreHarness>) {
  describe(`${name} honours the SnapshotStore contract`, () => {
    const key = (label: string) => `contract/${randomUUID()}/${label}.snap`;

    it('put returns the SHA-256 and size, and get returns the same bytes', async () => {
      // Prepare
      const { store } = await setup();
      const bytes = randomBytes(3_000);

      // Act
      const ref = await store.put(key('small'), bytes);
      const read = await store.get(ref);

      // Assess
      expect(ref.sizeBytes).toBe(3_000);
      expect(ref.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(Buffer.from(read).equals(bytes)).toBe(true);
    });

    it('an empty snapshot round-trips', async () => {
      // Prepare
      const { store } = await setup();

      // Act
      const ref = await store.put(key('empty'), new Uint8Array());
      const read = await store.get(ref);

      // Assess
      expect(ref.sizeBytes).toBe(0);
      expect(read).toHaveLength(0);
    });

    it('a 12 MB snapshot round-trips byte-identical', async () => {
      // Prepare
      const { store } = await setup();
      const bytes = randomBytes(12 * 1024 * 1024);

      // Act
      const ref = await store.put(key('large'), bytes);
      const read = await store.get(ref);

      // Assess
      expect(ref.sizeBytes).toBe(bytes.length);
      expect(Buffer.from(read).equals(bytes)).toBe(true);
    });

    it("put with the caller's SHA-256 stores bytes that match it and returns that hash", async () => {
      // Prepare
      const { store } = await setup();
      const bytes = randomBytes(2_000);
      const sha256 = createHash('sha256').update(bytes).digest('hex');

      // Act
      const ref = await store.put(key('checked'), bytes, { sha256 });

      // Assess
      expect(ref).toEqual({ key: ref.key, sha256, sizeBytes: 2_000 });
      expect(Buffer.from(await store.get(ref)).equals(bytes)).toBe(true);
    });

    it.each([
      ['a single upload', 3_000],
      ['a multipart upload', 6 * 1024 * 1024],
    ])(
      "put refuses %s whose bytes differ from the caller's SHA-256: retryable UPLOAD_CORRUPTED, nothing stored",
      async (_what, sizeBytes) => {
        // Prepare
        const { store } = await setup();
        const prefix = `contract/${randomUUID()}/`;
        const bytes = randomBytes(sizeBytes);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        const changed = Buffer.from(bytes);
        changed[7] = changed[7]! ^ 0x01;

        // Act
        const error = await caught(store.put(`${prefix}in-transit.snap`, changed, { sha256 }));

        // Assess
        expect(isCheckpointError(error, 'UPLOAD_CORRUPTED')).toBe(true);
        expect((error as { retryable: boolean }).retryable).toBe(true);
        expect((error as Error).message).toContain(`${prefix}in-transit.snap`);
        expect(await collect(store.list(prefix))).toEqual([]);
      },
    );

    it('put refuses a SHA-256 option that is not 64 hex digits, naming it', async () => {
      // Prepare
      const { store } = await setup();

      // Act
      const error = await caught(store.put(key('bad-option'), randomBytes(10), { sha256: 'abc' }));

      // Assess
      expect(isCheckpointError(error, 'BAD_INPUT')).toBe(true);
      expect((error as Error).message).toContain('options.sha256');
    });

    it('get refuses bytes whose SHA-256 differs from the reference, naming key and both hashes', async () => {
      // Prepare
      const harness = await setup();
      const bytes = randomBytes(2_048);
      const ref = await harness.store.put(key('corrupt'), bytes);
      const flipped = Buffer.from(bytes);
      flipped[100] = flipped[100]! ^ 0xff;
      await harness.overwrite(ref.key, flipped);

      // Act
      const error = await caught(harness.store.get(ref));

      // Assess
      expect(isCheckpointError(error, 'SNAPSHOT_CORRUPT')).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain(ref.key);
      expect(message).toContain(ref.sha256);
      expect(message).toMatch(/found 2048 bytes with SHA-256 [0-9a-f]{64}/);
    });

    it('get refuses a truncated object as corrupt', async () => {
      // Prepare
      const harness = await setup();
      const bytes = randomBytes(2_048);
      const ref = await harness.store.put(key('truncated'), bytes);
      await harness.overwrite(ref.key, bytes.subarray(0, 1_000));

      // Act
      const error = await caught(harness.store.get(ref));

      // Assess
      expect(isCheckpointError(error, 'SNAPSHOT_CORRUPT')).toBe(true);
      expect((error as Error).message).toContain('found 1000 bytes');
    });

    it('get of a missing key fails with NOT_FOUND', async () => {
      // Prepare
      const { store } = await setup();
      const ref = { key: key('missing'), sha256: '0'.repeat(64), sizeBytes: 1 };

      // Act
      const error = await caught(store.get(ref));

      // Assess
      expect(isCheckpointError(error, 'NOT_FOUND')).toBe(true);
    });

    it('getObject reads an object by key alone, without a reference to verify against', async () => {
      // Prepare
      const { store } = await setup();
      const bytes = new TextEncoder().encode('{"formatVersion":1}');
      const ref = await store.put(key('_metadata'), bytes);

      // Act
      const read = await store.getObject(ref.key);

      // Assess
      expect(Buffer.from(read).equals(Buffer.from(bytes))).toBe(true);
    });

    it('getObject of a missing key fails with NOT_FOUND', async () => {
      // Prepare
      const { store } = await setup();

      // Act
      const error = await caught(store.getObject(key('no-metadata')));

      // Assess
      expect(isCheckpointError(error, 'NOT_FOUND')).toBe(true);
    });

    it('putting the same bytes again under a key is accepted (a retried upload)', async () => {
      // Prepare
      const { store } = await setup();
      const bytes = randomBytes(500);
      const first = await store.put(key('retried'), bytes);

      // Act
      const second = await store.put(first.key, bytes);

      // Assess
      expect(second).toEqual(first);
      expect(Buffer.from(await store.get(first)).equals(bytes)).toBe(true);
    });

    it('delete removes keys, ignores absent ones, and list then shows nothing', async () => {
      // Prepare
      const { store } = await setup();
      const prefix = `contract/${randomUUID()}/`;
      await store.put(`${prefix}a.snap`, randomBytes(10));
      await store.put(`${prefix}b.snap`, randomBytes(10));

      // Act
      await store.delete([`${prefix}a.snap`, `${prefix}b.snap`, `${prefix}never-written.snap`]);
      await store.delete([`${prefix}a.snap`]);

      // Assess
      expect(await collect(store.list(prefix))).toEqual([]);
    });

    it('list returns only keys under the prefix, with sizes, in key order', async () => {
      // Prepare
      const { store } = await setup();
      const prefix = `contract/${randomUUID()}/job-a/`;
      await store.put(`${prefix}2.snap`, randomBytes(20));
      await store.put(`${prefix}1.snap`, randomBytes(10));
      await store.put(`${prefix.slice(0, -1)}b/1.snap`, randomBytes(5));

      // Act
      const listed = await collect(store.list(prefix));

      // Assess
      expect(listed.map((o) => [o.key, o.sizeBytes])).toEqual([
        [`${prefix}1.snap`, 10],
        [`${prefix}2.snap`, 20],
      ]);
      expect(listed.every((o) => o.lastModifiedMs > 0)).toBe(true);
    });

    it('list pages through more than 1,000 keys and delete removes them in bulk', async () => {
      // Prepare
      const { store } = await setup();
      const prefix = `contract/${randomUUID()}/many/`;
      const keys = Array.from({ length: 1_050 }, (_, i) => `${prefix}${String(i).padStart(5, '0')}.snap`);
      for (let i = 0; i < keys.length; i += 50) {
        await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, new Uint8Array([1]))));
      }

      // Act
      const listed = await collect(store.list(prefix));
      await store.delete(keys);
      const afterDelete = await collect(store.list(prefix));

      // Assess
      expect(listed.map((o) => o.key)).toEqual(keys);
      expect(afterDelete).toEqual([]);
    });
  });
}
