// Legends under the graph and the timeline: what each colour and line style means.

import { h } from "./dom";
import { statusLabel } from "./format";
import type { Palette } from "./protocol";

/** The statuses a legend lists, in the order a run goes through them. */
const STATUSES = ["NOT_REACHED", "RUNNING", "SUCCEEDED", "FAILED", "CAUGHT_ERROR", "CANCELLED"];

const NOTES: Record<string, string> = {
  NOT_REACHED: "not reached (not taken, once the run ended)",
  CAUGHT_ERROR: "caught error (a Catcher took over)",
};

/** One swatch per status plus the line styles of this view (`lines`: [css class, meaning]). */
export function legend(palette: Palette, lines: Array<[string, string]>): HTMLElement {
  const items: HTMLElement[] = STATUSES.map((status) => {
    const [fill, border] = palette[status] ?? ["#ffffff", "#879196"];
    const swatch = h("span", "sfn-swatch");
    swatch.style.background = fill;
    swatch.style.borderColor = border;
    return h("span", `sfn-legend-item sfn-legend-${status}`, swatch, NOTES[status] ?? statusLabel(status));
  });
  for (const [kind, meaning] of lines) {
    items.push(h("span", "sfn-legend-item", h("span", `sfn-line ${kind}`), meaning));
  }
  return h("div", "sfn-legend", ...items);
}
