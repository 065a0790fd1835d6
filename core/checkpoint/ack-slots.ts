import { ACK_SLOTS, type CheckpointRecord } from '../ports/checkpoint-store.js';

/**
 * The acks of periodic checkpoint n live in slot n mod ACK_SLOTS and are
 * overwritten by a later checkpoint's, never deleted (docs/adr/0001-coordinator-cost.md,
 * part 2). A pending or retained checkpoint's acks are its manifest, so the next id
 * skips any slot one of them still uses: ids stay increasing, not contiguous (Flink
 * does not promise contiguous ids either). Undefined when every slot is held
 * (more than ACK_SLOTS - 1 checkpoints pending or retained).
 */
export function nextFreeCheckpointId(
  lastCheckpointId: number,
  ledger: readonly CheckpointRecord[],
): number | undefined {
  const held = new Set(
    ledger
      .filter((r) => r.status === 'PENDING' || r.status === 'COMPLETED')
      .map((r) => r.checkpointId % ACK_SLOTS),
  );
  for (let id = lastCheckpointId + 1; id <= lastCheckpointId + ACK_SLOTS; id++) {
    if (!held.has(id % ACK_SLOTS)) return id;
  }
  return undefined;
}
