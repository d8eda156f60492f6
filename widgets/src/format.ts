// Pure formatting helpers shared by the views (unit-tested under node).

/** A duration in ms as the Python side writes it (render/timeline.py format_ms). */
export function formatMs(ms: number): string {
  // Tenths of a millisecond and hundredths of a second, as the Python side rounds.
  if (ms < 1000) return `${round(ms, 1)} ms`;
  let seconds = ms / 1000;
  if (seconds < 60) return `${round(seconds, 2)} s`;
  seconds = Math.round(seconds);
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes < 60) return rest ? `${minutes}m ${rest}s` : `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  const mins = minutes % 60;
  return mins ? `${hours}h ${mins}m` : `${hours}h`;
}

function round(value: number, digits: number): string {
  const scale = 10 ** digits;
  return String(Math.round(value * scale) / scale);
}

/** A tick step of 1, 2 or 5 × 10^k covering `span` in about `ticks` steps. */
export function niceStep(span: number, ticks = 6): number {
  const raw = Math.max(span, 1) / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

const LABELS: Record<string, string> = {
  NOT_REACHED: "not reached",
  NOT_STARTED: "not started",
  RUNNING: "in progress",
  SUCCEEDED: "succeeded",
  FAILED: "failed",
  CAUGHT_ERROR: "caught error",
  CANCELLED: "cancelled",
  ABORTED: "aborted",
  TIMED_OUT: "timed out",
};

/** A status as words. */
export function statusLabel(status: string): string {
  return LABELS[status] ?? status.toLowerCase();
}

/** Cut text to `limit` characters with an ellipsis. */
export function shorten(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
