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
  if (hours < 24) return mins ? `${hours}h ${mins}m` : `${hours}h`;
  // Days and whole hours: a multi-day wait reads "3d 4h", not "76h 12m".
  const days = Math.floor(hours / 24);
  const hrs = hours % 24;
  return hrs ? `${days}d ${hrs}h` : `${days}d`;
}

function round(value: number, digits: number): string {
  const scale = 10 ** digits;
  return String(Math.round(value * scale) / scale);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// Steps a clock reads well in: 1-2-5 below a second, then 5 s, 15 s, 30 min, 6 h, 1 day...
// (as render/timeline.py TIME_STEPS).
const TIME_STEPS = [
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY,
];

/** A tick step covering `span` ms in about `ticks` steps: 1, 2 or 5 × 10^k below a second,
 * whole clock units (15 s, 30 min, 6 h, 1 d...) above, so ticks read as round times. */
export function niceStep(span: number, ticks = 6): number {
  const raw = Math.max(span, 1) / ticks;
  if (raw > 500) {
    for (const step of TIME_STEPS) if (step >= raw) return step;
    const days = raw / DAY;
    const power = 10 ** Math.floor(Math.log10(days));
    for (const m of [1, 2, 5, 10]) if (m * power >= days) return m * power * DAY;
  }
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

/** How far the states got (render/html.py progress): "2 / 4 states done" while running; once
 * the execution has ended, states it never reached were not taken, not pending. */
export function progress(header: { status: string; done: number; total: number }): string {
  const { status, done, total } = header;
  if (status === "RUNNING" || status === "NOT_STARTED" || status === "PENDING_REDRIVE") {
    return `${done} / ${total} states done`;
  }
  const run = `${done} state${done === 1 ? "" : "s"} run`;
  return total > done ? `${run}, ${total - done} not taken` : run;
}
