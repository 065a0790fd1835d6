/**
 * Writes the snapshot payload `{ meta, content }` (see format.ts) with field order
 * fixed here, so the bytes do not depend on how the caller built its objects. The
 * reading side is payload-shape.ts.
 */
import type {
  KeyedStateTableView,
  OutboxEntry,
  SnapshotMetadata,
  StateSnapshotView,
} from '../state/snapshot-content.js';
import type { MsgpackWriter } from './msgpack-writer.js';

export function writeSnapshotPayload(
  writer: MsgpackWriter,
  meta: SnapshotMetadata,
  content: StateSnapshotView,
): void {
  writer.mapHeader(2);
  writer.string('meta');
  writeMeta(writer, meta);
  writer.string('content');
  writer.mapHeader(content.outbox === undefined ? 4 : 5);
  writer.string('keyed');
  writeKeyed(writer, content.keyed);
  writer.string('operator');
  writer.value(content.operator);
  writer.string('timers');
  writer.value(content.timers);
  writer.string('watermarkMs');
  writer.value(content.watermarkMs);
  if (content.outbox !== undefined) {
    writer.string('outbox');
    writeOutbox(writer, content.outbox);
  }
}

function writeMeta(writer: MsgpackWriter, meta: SnapshotMetadata): void {
  writer.mapHeader(6);
  writer.string('jobId');
  writer.value(meta.jobId);
  writer.string('shardId');
  writer.value(meta.shardId);
  writer.string('checkpointId');
  writer.value(meta.checkpointId);
  writer.string('sequenceNumber');
  writer.value(meta.sequenceNumber);
  writer.string('operatorName');
  writer.value(meta.operatorName);
  writer.string('createdAtMs');
  writer.value(meta.createdAtMs);
}

function writeKeyed(writer: MsgpackWriter, keyed: StateSnapshotView['keyed']): void {
  const names = Object.keys(keyed);
  writer.mapHeader(names.length);
  for (const name of names) {
    writer.string(name);
    const entries = keyed[name]!;
    if (Array.isArray(entries)) writer.value(entries);
    else writeTable(writer, entries);
  }
}

/** The same bytes as the table's [key, value] pairs (MapState values as their own pairs). */
function writeTable(writer: MsgpackWriter, { table, valuesAreMaps }: KeyedStateTableView): void {
  writer.arrayHeader(table.size);
  // Module-level callbacks, not closures: a closure made per snapshot starts cold (its
  // optimized code dies with the previous snapshot's closure at the next full GC).
  table.forEach(valuesAreMaps ? writeMapStateEntry : writeValueEntry, writer);
}

function writeValueEntry(this: MsgpackWriter, value: unknown, key: string): void {
  this.arrayHeader(2);
  this.string(key);
  this.value(value);
}

function writeMapStateEntry(this: MsgpackWriter, map: unknown, key: string): void {
  this.arrayHeader(2);
  this.string(key);
  this.mapEntries(map as ReadonlyMap<unknown, unknown>);
}

/** Entries sampled per keyed state and timer list by estimatePayloadBytes. */
const SAMPLE_ENTRIES = 16;

/**
 * About what writeSnapshotPayload will write for `content`: each keyed state's and
 * timer list's first entries, written into `sampler`, times its size. It sizes a
 * runtime's first snapshot buffer, which without it starts small and doubles: every
 * doubling copies all written so far and, at tens of MB, makes V8 collect the whole
 * heap. Operator state, metadata and the outbox are left to the buffer's slack.
 */
export function estimatePayloadBytes(sampler: MsgpackWriter, content: StateSnapshotView): number {
  let bytes = 0;
  for (const name in content.keyed) {
    const state = content.keyed[name]!;
    if (Array.isArray(state)) {
      bytes += sampledArrayBytes(sampler, state);
      continue;
    }
    const write = state.valuesAreMaps ? writeMapStateEntry : writeValueEntry;
    const startAt = sampler.position;
    let sampled = 0;
    for (const [key, value] of state.table) {
      if (sampled === SAMPLE_ENTRIES) break;
      write.call(sampler, value, key);
      sampled++;
    }
    if (sampled > 0) bytes += ((sampler.position - startAt) / sampled) * state.table.size;
  }
  bytes += sampledArrayBytes(sampler, content.timers.eventTime);
  bytes += sampledArrayBytes(sampler, content.timers.processingTime);
  return bytes;
}

function sampledArrayBytes(sampler: MsgpackWriter, items: readonly unknown[]): number {
  const sampled = Math.min(items.length, SAMPLE_ENTRIES);
  if (sampled === 0) return 0;
  const startAt = sampler.position;
  for (let i = 0; i < sampled; i++) sampler.value(items[i]);
  return ((sampler.position - startAt) / sampled) * items.length;
}

/** Only the four fields of an output, in this order, whatever else the entries carry. */
function writeOutbox(writer: MsgpackWriter, outbox: readonly OutboxEntry[]): void {
  writer.arrayHeader(outbox.length);
  for (const { checkpointId, id, key, value } of outbox) {
    writer.mapHeader(4);
    writer.string('checkpointId');
    writer.value(checkpointId);
    writer.string('id');
    writer.value(id);
    writer.string('key');
    writer.value(key);
    writer.string('value');
    writer.value(value);
  }
}
