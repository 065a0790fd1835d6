/** The event source mapping feeding the processor, as far as recovery needs it. */
export interface EventSourceControl {
  /** Stops delivery (records stay in the stream, nothing is discarded by Lambda's retry limit). */
  disable(reason: string): Promise<void>;
  /** Resumes delivery after a restore; mappings already enabled are left alone. Returns how many were enabled. */
  enable(reason: string): Promise<number>;
}
