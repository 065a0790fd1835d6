import type { OutputRecord, OutputSink } from '../ports/output-sink.js';

/** Records every write, so tests can count losses and duplicates by output id. */
export class MemoryOutputSink implements OutputSink {
  readonly writes: OutputRecord[] = [];

  constructor(private readonly beforeWrite?: (records: OutputRecord[]) => void | Promise<void>) {}

  async write(records: OutputRecord[]): Promise<void> {
    await this.beforeWrite?.(records);
    for (const record of records) this.writes.push({ ...record });
  }

  distinctIds(): Set<string> {
    return new Set(this.writes.map((w) => w.id));
  }

  /** Writes beyond the first for each id. */
  duplicateCount(): number {
    return this.writes.length - this.distinctIds().size;
  }
}
