// The timeline's time window: zoom in around a point, pan, fit; ticks stay on round steps.
// Pure logic, unit-tested under node.

import { niceStep } from "./format";

/** The narrowest window the zoom allows, in ms (a few bars of a virtual-time run still show). */
export const MIN_WINDOW = 1;

/** Which part of the time axis [0, span] is drawn; `null` bounds: fit the whole run. */
export class TimeWindow {
  from: number | null = null;
  to: number | null = null;

  get zoomed(): boolean {
    return this.from !== null && this.to !== null;
  }

  /** The drawn range for a run `span` ms long (the whole run, rounded up to a tick, when not
   * zoomed, as the static timeline draws it). */
  range(span: number): [number, number] {
    if (this.from !== null && this.to !== null) return [this.from, this.to];
    const step = niceStep(span);
    return [0, Math.ceil(Math.max(span, 1) / step) * step];
  }

  /** Zoom by `factor` (> 1: in) keeping the time `at` where it is on screen. */
  zoom(factor: number, at: number, span: number): void {
    const [from, to] = this.range(span);
    const fullWidth = new TimeWindow().range(span)[1];
    const width = Math.max((to - from) / factor, MIN_WINDOW);
    if (width >= fullWidth) {
      this.fit();
      return;
    }
    const ratio = to > from ? (at - from) / (to - from) : 0.5;
    this.set(at - ratio * width, width, fullWidth);
  }

  /** Move the window by `delta` ms, never past either end of the run. */
  pan(delta: number, span: number): void {
    if (!this.zoomed) return;
    const [from, to] = this.range(span);
    this.set(from + delta, to - from, new TimeWindow().range(span)[1]);
  }

  fit(): void {
    this.from = this.to = null;
  }

  private set(from: number, width: number, fullWidth: number): void {
    const start = Math.min(Math.max(0, from), Math.max(0, fullWidth - width));
    this.from = start;
    this.to = start + width;
  }
}

/** Tick times for the drawn range: multiples of a round step (1-2-5 ms, 15 s, 30 min, 6 h, 1 d
 * ...), about `count` of them. */
export function ticks(from: number, to: number, count = 6): { step: number; times: number[] } {
  const step = niceStep(Math.max(to - from, MIN_WINDOW / 10), count);
  const times: number[] = [];
  const first = Math.ceil(from / step - 1e-9) * step;
  for (let t = first; t <= to + step * 1e-6 && times.length < 1000; t += step) {
    times.push(Math.round(t * 1e6) / 1e6);
  }
  return { step, times };
}
