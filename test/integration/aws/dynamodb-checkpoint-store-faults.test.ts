import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoCheckpointStore } from '../../../core/aws/dynamodb-checkpoint-store.js';
import { ConditionFailedError, StorageUnavailableError, ThrottledError } from '../../../core/errors/index.js';
import type { CheckpointStore } from '../../../core/ports/index.js';
import { createCheckpointTable, uniqueNames } from '../../../local/resources.js';
import {
  aCheckpoint,
  aCursor,
  aJob,
  anAck,
  anInlineAck,
  JOB,
  patternBytes,
  rejectionOf,
  shardId,
} from '../../support/checkpoint-fixtures.js';
import { type EmulatorFixture, provisionFixture } from '../../support/emulators.js';
import {
  conditionFailedAfterSdkRetry,
  type Fault,
  type FaultyStore,
  faultyStore,
  serverError,
  TEST_RETRY,
  throttled,
} from '../../support/faulty-dynamodb.js';

let fx: EmulatorFixture;
let tableName: string;
let plain: DynamoCheckpointStore;
let faulty: FaultyStore | undefined;

beforeAll(async () => {
  fx = await provisionFixture(1, 'ckflt');
});
afterAll(() => fx?.clients.destroy());
beforeEach(async () => {
  tableName = uniqueNames('ckflt').table;
  await createCheckpointTable(fx.clients, tableName);
  plain = new DynamoCheckpointStore({ client: fx.clients.dynamodb, tableName });
});
afterEach(async () => {
  faulty?.destroy();
  faulty = undefined;
  await fx.clients.dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
});

function withFault(fault: Fault): FaultyStore {
  faulty = faultyStore(tableName, fault);
  return faulty;
}

/** The first `times` calls of `command` fail with `error()` without reaching the table. */
const failFirst =
  (command: string, times: number, error: () => Error): Fault =>
  async (call, nth) => {
    if (call.command === command && nth <= times) throw error();
    return call.send();
  };

/** The first call of `command` is applied on the table, then the caller sees a 500. */
const appliedThenServerError =
  (command: string): Fault =>
  async (call, nth) => {
    const output = await call.send();
    if (call.command === command && nth === 1) throw serverError();
    return output;
  };

describe('DynamoCheckpointStore retries', () => {
  it('retries a throttled write with full-jitter backoff until it passes', async () => {
    // Prepare
    const { store, sleeps, commands } = withFault(failFirst('PutItemCommand', 2, throttled));

    // Act
    await store.putAck(JOB, anAck(1, shardId(0)));

    // Assess
    expect(commands.filter((c) => c === 'PutItemCommand')).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeLessThanOrEqual(TEST_RETRY.baseDelayMs);
    expect(sleeps[1]).toBeLessThanOrEqual(TEST_RETRY.baseDelayMs * 2);
    expect(await plain.getAck(JOB, 1, shardId(0))).toEqual(anAck(1, shardId(0)));
  });

  it('gives up with ThrottledError after maxAttempts throttled tries', async () => {
    // Prepare
    const { store, commands } = withFault(failFirst('PutItemCommand', 99, throttled));

    // Act
    const error = await rejectionOf(store.createJob(aJob()));

    // Assess
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as Error).message).toContain('createJob');
    expect(commands.filter((c) => c === 'PutItemCommand')).toHaveLength(TEST_RETRY.maxAttempts);
    expect(await plain.getJob(JOB)).toBeUndefined();
  });

  it('gives up with StorageUnavailableError after maxAttempts server errors', async () => {
    // Prepare
    const { store, sleeps } = withFault(failFirst('GetItemCommand', 99, serverError));

    // Act
    const error = await rejectionOf(store.getCursor(JOB, shardId(0)));

    // Assess
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(sleeps).toHaveLength(TEST_RETRY.maxAttempts - 1);
  });
});

describe('DynamoCheckpointStore ambiguous writes', () => {
  const creations: [
    string,
    (s: CheckpointStore) => Promise<void>,
    (s: CheckpointStore) => Promise<unknown>,
  ][] = [
    ['createJob', (s) => s.createJob(aJob()), (s) => s.getJob(JOB)],
    // A savepoint's own item (a periodic checkpoint goes through commitLedger, below).
    [
      'createCheckpoint',
      (s) => s.createCheckpoint(JOB, aCheckpoint(1, { kind: 'SAVEPOINT' })),
      (s) => s.getCheckpoint(JOB, 1),
    ],
    [
      'putAck (inline bytes)',
      (s) => s.putAck(JOB, anInlineAck(1, shardId(0), patternBytes(1_024))),
      (s) => s.getAck(JOB, 1, shardId(0)),
    ],
    ['createCursor', (s) => s.createCursor(JOB, aCursor(shardId(0))), (s) => s.getCursor(JOB, shardId(0))],
  ];

  it.each(creations)(
    '%s applied, then a 500, then a failed condition on retry, reports success',
    async (_, write, read) => {
      // Prepare
      const { store, commands } = withFault(appliedThenServerError('PutItemCommand'));

      // Act
      await write(store);

      // Assess: (a savepoint first reads META: ids are unique across kinds)
      const writes = commands[0] === 'GetItemCommand' ? commands.slice(1) : commands;
      expect(writes).toEqual(['PutItemCommand', 'PutItemCommand', 'GetItemCommand']);
      expect(await read(plain)).toBeDefined();
    },
  );

  it('a retried putAck that finds a different ack stored fails with ConditionFailedError', async () => {
    // Prepare: the first try never reaches the table, another writer acks meanwhile
    const theirs = anAck(1, shardId(0), { sequenceNumber: '7', ackTimeMs: 1 });
    const { store } = withFault(async (call, nth) => {
      if (call.command === 'PutItemCommand' && nth === 1) {
        await plain.putAck(JOB, theirs);
        throw serverError();
      }
      return call.send();
    });

    // Act
    const error = await rejectionOf(store.putAck(JOB, anAck(1, shardId(0))));

    // Assess
    expect(error).toBeInstanceOf(ConditionFailedError);
    expect(await plain.getAck(JOB, 1, shardId(0))).toEqual(theirs);
  });

  it('an identical second putAck without any earlier failure is still a ConditionFailedError', async () => {
    // Prepare
    await plain.putAck(JOB, anAck(1, shardId(0)));

    // Act
    const error = await rejectionOf(plain.putAck(JOB, anAck(1, shardId(0))));

    // Assess
    expect(error).toBeInstanceOf(ConditionFailedError);
  });

  it('commitCursor applied, then a 500, then a failed condition on retry, returns the new version', async () => {
    // Prepare
    await plain.createCursor(JOB, aCursor(shardId(0), { version: 3 }));
    const { store } = withFault(appliedThenServerError('UpdateItemCommand'));
    const commit = { lastSequenceNumber: '42', owner: 'container-1', updatedAtMs: 5 };

    // Act
    const version = await store.commitCursor(JOB, shardId(0), 3, commit);

    // Assess
    expect(version).toBe(4);
    expect(await plain.getCursor(JOB, shardId(0))).toMatchObject({ ...commit, version: 4 });
  });

  it('a retried commitCursor that finds another owner commit is fenced', async () => {
    // Prepare
    await plain.createCursor(JOB, aCursor(shardId(0), { version: 3 }));
    const { store } = withFault(async (call, nth) => {
      if (call.command === 'UpdateItemCommand' && nth === 1) {
        await plain.commitCursor(JOB, shardId(0), 3, {
          lastSequenceNumber: '42',
          owner: 'other',
          updatedAtMs: 5,
        });
        throw serverError();
      }
      return call.send();
    });

    // Act
    const error = await rejectionOf(
      store.commitCursor(JOB, shardId(0), 3, { lastSequenceNumber: '42', owner: 'me', updatedAtMs: 5 }),
    );

    // Assess
    expect(error).toBeInstanceOf(ConditionFailedError);
    expect((await plain.getCursor(JOB, shardId(0)))?.owner).toBe('other');
  });

  const updates: [
    string,
    (s: CheckpointStore) => Promise<unknown>,
    (s: CheckpointStore) => Promise<unknown>,
  ][] = [
    [
      'transitionCheckpoint',
      (s) => s.transitionCheckpoint(JOB, 1, 'PENDING', { status: 'COMPLETED', completedAtMs: 9 }),
      async (s) => (await s.getCheckpoint(JOB, 1))?.status,
    ],
    [
      // Version 2: the periodic checkpoint created below went into the job's ledger.
      'updateJob',
      (s) => s.updateJob(JOB, 2, { ...aJob(), status: 'FAILED' }),
      async (s) => (await s.getJob(JOB))?.status,
    ],
    [
      'commitLedger',
      async (s) =>
        s.commitLedger(JOB, (await plain.readLedger(JOB))!, {
          put: [{ ...aCheckpoint(1), status: 'COMPLETED', completedAtMs: 9 }],
          latestCheckpointId: 1,
        }),
      async (s) => (await s.getCheckpoint(JOB, 1))?.status,
    ],
    [
      'replaceCursor',
      (s) => s.replaceCursor(JOB, 1, aCursor(shardId(0), { version: 2, owner: 'restore' })),
      async (s) => (await s.getCursor(JOB, shardId(0)))?.owner,
    ],
    [
      'advanceLatestCheckpoint',
      (s) => s.advanceLatestCheckpoint(JOB, 1),
      async (s) => (await s.getJob(JOB))?.latestCheckpointId,
    ],
  ];

  it.each(updates)(
    '%s applied, then a 500, then a failed condition on retry, reports success',
    async (operation, write, read) => {
      // Prepare
      await plain.createJob(aJob());
      await plain.createCheckpoint(JOB, aCheckpoint(1));
      await plain.createCursor(JOB, aCursor(shardId(0)));
      const before = await read(plain);
      const { store } = withFault(
        appliedThenServerError(operation === 'replaceCursor' ? 'PutItemCommand' : 'UpdateItemCommand'),
      );

      // Act
      await write(store);

      // Assess
      expect(await read(plain)).not.toEqual(before);
    },
  );

  it('a condition failure reported after the SDK retried internally is checked against the stored item', async () => {
    // Prepare
    const { store } = withFault(async (call, nth) => {
      const output = await call.send();
      if (call.command === 'PutItemCommand' && nth === 1) throw conditionFailedAfterSdkRetry();
      return output;
    });

    // Act
    await store.createCursor(JOB, aCursor(shardId(0)));

    // Assess
    expect(await plain.getCursor(JOB, shardId(0))).toEqual(aCursor(shardId(0)));
  });
});
