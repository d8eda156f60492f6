// User Timing entries for the views' work (DevTools' Performance panel shows them; the browser
// tests read them to report the cost of an update). Bounded: a notebook left open for a day
// must not keep every entry.

const KEEP = 5000;
const counts = new Map<string, number>();

/** Record `name` as a measure from `began` (performance.now()) to now. */
export function measure(name: string, began: number): void {
  const count = (counts.get(name) ?? 0) + 1;
  if (count > KEEP) performance.clearMeasures(name);
  counts.set(name, count > KEEP ? 1 : count);
  performance.measure(name, { start: began, end: performance.now() });
}
