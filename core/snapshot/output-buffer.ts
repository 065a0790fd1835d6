/**
 * The memory one runtime's snapshots are written into, kept from one snapshot to the
 * next. A fresh buffer the size of the state costs twice: the kernel maps and zeroes
 * every page on first touch, and V8 counts the buffer as external memory, which at
 * tens of MB makes it run a full GC of the whole state heap in the middle of the
 * snapshot. Writing into the previous snapshot's memory costs neither.
 *
 * Ownership, explicit: encodeSnapshot(..., { output }) returns bytes that live in this
 * memory and belong to the caller until it hands them back with release(bytes). Only
 * then may the next snapshot write over them, so release only once nothing reads
 * them any more (uploaded, hashed, not kept by a store). A snapshot taken while the
 * previous bytes are held gets new memory instead: bytes in use are never overwritten,
 * and bytes never released are simply never reused.
 */

/** Memory this much larger than a snapshot needs is dropped rather than kept alive. */
const MAX_SPARE_FACTOR = 4;
/** Below this, memory is never worth dropping for being too large. */
const ALWAYS_KEEP_BYTES = 1 << 20;

/**
 * What earlier snapshots weighed, to presize the next one's buffer: growing it copies
 * everything written so far, which for 100 MB costs more than writing. The estimate is
 * bytes per keyed entry times this snapshot's entries, capped at the last payload's
 * size, so one large state does not make a later small one allocate as much, nor few
 * large entries many small ones.
 */
export class PayloadSizeHistory {
  private bytesPerEntry = 0;
  private payloadBytes = 0;

  get isEmpty(): boolean {
    return this.payloadBytes === 0;
  }

  estimateBytes(entries: number): number {
    return Math.min(entries * this.bytesPerEntry, this.payloadBytes);
  }

  record(entries: number, payloadBytes: number): void {
    this.payloadBytes = payloadBytes;
    if (entries > 0) this.bytesPerEntry = payloadBytes / entries;
  }
}

export class SnapshotOutputBuffer {
  private memory: Buffer | undefined;
  private held = false;
  /** This runtime's own sizes: other runtimes' snapshots in the process do not skew them. */
  readonly sizes = new PayloadSizeHistory();

  /** True while the last snapshot's bytes are with the caller (not released yet). */
  get holdsBytes(): boolean {
    return this.held;
  }

  /** Bytes of memory kept for the next snapshot (0 before the first one). */
  get capacityBytes(): number {
    return this.memory?.byteLength ?? 0;
  }

  /**
   * Gives back bytes returned by encodeSnapshot with this output: the next snapshot
   * may overwrite them. Bytes of an older snapshot, or of other memory, are ignored.
   */
  release(bytes: Uint8Array): void {
    if (this.memory !== undefined && bytes.buffer === this.memory.buffer) this.held = false;
  }

  /**
   * For encodeSnapshot: the kept memory if it is free, holds `estimateBytes` and is not
   * wastefully larger; else undefined, and the kept memory is let go. No slack is asked
   * for: if the state outgrew it, growing it copies about what a fresh buffer would cost.
   */
  take(estimateBytes: number): Buffer | undefined {
    const memory = this.memory;
    if (memory === undefined || this.held) return undefined;
    const oversized =
      memory.byteLength > ALWAYS_KEEP_BYTES && memory.byteLength > estimateBytes * MAX_SPARE_FACTOR;
    if (memory.byteLength < estimateBytes || oversized) {
      this.memory = undefined;
      return undefined;
    }
    return memory;
  }

  /**
   * For encodeSnapshot: `memory` is what the snapshot was written into, kept for the
   * next one; `handedOut` says whether the returned bytes live in it.
   */
  keep(memory: Buffer, handedOut: boolean): void {
    this.memory = memory;
    this.held = handedOut;
  }
}
