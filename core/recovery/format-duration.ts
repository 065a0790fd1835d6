function oneDecimal(value: number): string {
  return String(Number(value.toFixed(1)));
}

/** A duration for people: "250 ms", "3.4 s", "1.5 min", "2 h". */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'forever';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${oneDecimal(ms / 1_000)} s`;
  if (ms < 3_600_000) return `${oneDecimal(ms / 60_000)} min`;
  return `${oneDecimal(ms / 3_600_000)} h`;
}
