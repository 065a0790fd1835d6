import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { abortCheckpoint } from '../../../core/checkpoint/checkpoint-cleanup.js';
import { parseControlRequest } from '../../../core/control/index.js';
import { StorageUnavailableError } from '../../../core/errors/index.js';
import { MemoryCheckpointStore } from '../../../core/memory/memory-checkpoint-store.js';
import { createControlHandler } from '../../../functions/shared/control-handler.js';
import { type ControlHarness, controlHarness, JOB } from '../control/control-harness.js';

const EVENTS_DIR = join(import.meta.dirname, '../../../events');
const controlEvents = readdirSync(EVENTS_DIR).filter((f) => /^control-.*\.json$/.test(f));

describe('events/control-*.json (console test events, also fixtures)', () => {
  it('exist for every action', () => {
    // Assess
    expect(controlEvents.sort()).toEqual([
      'control-cancel.json',
      'control-list.json',
      'control-restore-checkpoint.json',
      'control-restore-savepoint-path.json',
      'control-restore-savepoint-trim-horizon.json',
      'control-restore.json',
      'control-savepoint.json',
      'control-status.json',
    ]);
  });

  it.each(controlEvents)('%s parses as a control request', (file) => {
    // Prepare
    const event = JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8'));

    // Act
    const request = parseControlRequest(event);

    // Assess
    expect(request).toMatchObject(event);
  });
});

describe('control function handler', () => {
  let h: ControlHarness;
  let completed: number;
  beforeEach(async () => {
    h = controlHarness({ externalizedCheckpointCleanup: 'RETAIN_ON_CANCELLATION' });
    await h.produceAndProcess(300);
    completed = await h.checkpoint();
    await h.produceAndProcess(100);
  });
  const handler = () => createControlHandler({ wiring: () => h.wiring, sleep: (ms) => h.deps.sleep(ms) });

  it.each<[string, () => Promise<unknown>, string | undefined, RegExp]>([
    ['a malformed JSON string', async () => '{"action":"restore",', 'request', /^request: .*malformed JSON/],
    [
      'a wrong type',
      async () => ({ action: 'restore', checkpointId: 1, dryRun: 'true' }),
      'dryRun',
      /^dryRun: expected true or false/,
    ],
    [
      'an unknown action',
      async () => ({ action: 'restor' }),
      'action',
      /^action: expected one of restore, savepoint, cancel, status, list; found "restor"$/,
    ],
    [
      'an unknown field',
      async () => ({ action: 'cancel', savepoint: true }),
      'savepoint',
      /^savepoint: unknown field for action "cancel"; allowed fields: action, savepointFirst$/,
    ],
    [
      'a negative checkpoint id',
      async () => ({ action: 'restore', checkpointId: -3 }),
      'checkpointId',
      /^checkpointId: expected an integer .* found -3$/,
    ],
    [
      'a restore of an unknown checkpoint id',
      async () => ({ action: 'restore', checkpointId: 999 }),
      undefined,
      /checkpoint 999 does not exist for job job-control; completed: 1 \(checkpoint\)/,
    ],
    [
      'a restore of an ABORTED checkpoint',
      async () => {
        const id = await h.pendingCheckpoint();
        await abortCheckpoint(h.deps, JOB, id, 'CHECKPOINT_EXPIRED');
        return { action: 'restore', checkpointId: id };
      },
      undefined,
      /checkpoint 2 is ABORTED \(CHECKPOINT_EXPIRED\): only a COMPLETED checkpoint or savepoint can be restored/,
    ],
    [
      'a restore of a PENDING checkpoint',
      async () => ({ action: 'restore', checkpointId: await h.pendingCheckpoint() }),
      undefined,
      /checkpoint 2 is PENDING: only a COMPLETED/,
    ],
  ])(
    'answers %s with ok: false naming what is wrong, and changes nothing',
    async (_name, event, field, message) => {
      // Prepare
      const input = await event();
      const before = h.durable();

      // Act
      const result = await handler()(input);

      // Assess
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.reason).toBe('BAD_INPUT');
      expect(result.error.message).toMatch(message);
      expect(result.error.field).toBe(field);
      expect(result.summary).toBe(`refused: ${result.error.message}`);
      expect(h.durable()).toEqual(before);
    },
  );

  it('answers malformed input without building the wiring (no AWS client for a typo)', async () => {
    // Prepare
    let built = 0;
    const handle = createControlHandler({
      wiring: () => {
        built++;
        return h.wiring;
      },
    });

    // Act
    const result = await handle({ action: 'stauts' });

    // Assess
    expect(result.ok).toBe(false);
    expect(built).toBe(0);
  });

  it('runs a console test event end to end: restore dry run of "latest"', async () => {
    // Prepare
    const event = JSON.parse(readFileSync(join(EVENTS_DIR, 'control-restore.json'), 'utf8'));
    const before = h.durable();

    // Act
    const result = await handler()(event);

    // Assess
    expect(result).toMatchObject({ ok: true, action: 'restore', checkpointId: completed, dryRun: true });
    expect(h.durable()).toEqual(before);
  });

  it('takes a savepoint and then shows it in list, through the same handler instance', async () => {
    // Prepare
    const handle = handler();

    // Act
    const savepoint = await handle({ action: 'savepoint', waitMs: 5_000 });
    const list = await handle('{"action":"list"}');

    // Assess
    expect(savepoint).toMatchObject({ ok: true, status: 'COMPLETED' });
    expect(list).toMatchObject({
      ok: true,
      checkpoints: [{ kind: 'SAVEPOINT', status: 'COMPLETED' }, { checkpointId: completed }],
    });
  });

  it('throws errors that are not refusals, so Lambda reports a function error', async () => {
    // Prepare: DynamoDB is down
    const store = new MemoryCheckpointStore({
      faults: {
        before: () => {
          throw new StorageUnavailableError('DynamoDB unavailable (injected)');
        },
      },
    });
    const handle = createControlHandler({ wiring: () => ({ ...h.wiring, store }) });

    // Act
    const outcome = handle({ action: 'status' });

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(StorageUnavailableError);
  });
});
