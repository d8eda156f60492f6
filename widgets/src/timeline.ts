// RetryTimeline: a Gantt of visits and attempts, patched by RowsUpdate messages; Map iterations
// fold under their Map; hover a bar for its details.

import type { AnyModel } from "@anywidget/types";
import { h, s } from "./dom";
import { formatMs, niceStep, shorten, statusLabel } from "./format";
import type { FromPython, HelloRequest, TimelineRow, TimelineTraits } from "./protocol";
import { legend } from "./legend";
import { backoffs, bars, RowStore } from "./rows";

const LABEL = 190;
const CHART = 560;
const ROW = 18;
const AXIS = 24;
const MAX_DRAWN = 2000;
const BACKOFF = "#c46c00";
const FIT = 26; // rows in sight before the timeline scrolls (whole rows: none is cut in half)
const LINES: Array<[string, string]> = [
  ["sfn-line-span", "state entered → left"],
  ["sfn-line-backoff", "backoff before a retry"],
];

export function renderTimeline(model: AnyModel<TimelineTraits>, el: HTMLElement): () => void {
  const store = new RowStore();
  const canvas = h("div", "sfn-timeline-canvas");
  canvas.style.maxHeight = `${AXIS + FIT * ROW + 6}px`;
  // Says how many rows lie below the box, so a long Map never looks cut short.
  const more = h("div", "sfn-timeline-more sfn-muted");
  more.hidden = true;
  const key = h("div", "");
  const tip = h("div", "sfn-tip");
  tip.hidden = true;
  const root = h("div", "sfn-timeline-widget", canvas, more, key, tip);
  el.append(root);
  let rowCount = 0;
  const where = (): void => {
    const first = Math.max(0, Math.floor((canvas.scrollTop - AXIS) / ROW)) + 1;
    const last = Math.min(rowCount, Math.floor((canvas.scrollTop + canvas.clientHeight - AXIS - 6) / ROW));
    const below = canvas.scrollHeight - canvas.scrollTop - canvas.clientHeight > 1;
    more.hidden = rowCount <= FIT;
    root.classList.toggle("sfn-more-below", below && rowCount > FIT);
    more.textContent = `rows ${first}–${last} of ${rowCount}${below ? " · scroll for more ↓" : ""}`;
  };
  canvas.addEventListener("scroll", where);
  const drawKey = (): void => {
    key.replaceChildren(legend(model.get("palette") ?? {}, LINES));
  };
  drawKey();
  let frame = 0;
  // While a real-clock run is in progress its open bars grow with the wall clock.
  const ticker = setInterval(() => {
    if (store.ticking) schedule();
  }, 250);

  const schedule = (): void => {
    if (!frame) frame = requestAnimationFrame(() => {
      frame = 0;
      draw();
    });
  };

  const colour = (status: string): string => {
    const palette = model.get("palette") ?? {};
    return (palette[status] ?? palette.NOT_REACHED ?? ["#ffffff", "#879196"])[1];
  };

  const draw = (): void => {
    const visible = store.visible();
    const shown = visible.slice(0, MAX_DRAWN);
    const now = performance.now();
    const end = store.now(now);
    const span = store.span(now);
    const step = niceStep(span);
    const scale = CHART / (Math.ceil(span / step) * step);
    const height = AXIS + ROW * (shown.length + (visible.length > shown.length ? 1 : 0)) + 6;
    const width = LABEL + CHART + 20;
    const svg = s("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "sfn-timeline-svg" });
    for (let t = 0; t <= span + step / 2; t += step) {
      const x = LABEL + t * scale;
      svg.append(
        s("line", { x1: x, y1: AXIS - 4, x2: x, y2: height, class: "sfn-grid" }),
        s("text", { x, y: AXIS - 8, "text-anchor": "middle", class: "sfn-axis" }, formatMs(t)),
      );
    }
    const xOf = (ms: number | null): number => LABEL + (ms ?? end ?? span) * scale;
    shown.forEach(({ row, depth, children, collapsed }, i) => {
      const y = AXIS + i * ROW;
      const g = s("g", { class: `sfn-row sfn-row-${row.kind}`, "data-key": row.key });
      let label = shorten(row.label, 26);
      if (row.attempts.length > 1) label += ` ×${row.attempts.length}`;
      if (children) label = `${collapsed ? "▸" : "▾"} ${label}${collapsed ? ` (${children})` : ""}`;
      const text = s("text", { x: 6 + depth * 12, y: y + 13, class: "sfn-row-label" }, label);
      if (children) {
        text.classList.add("sfn-toggle");
        text.addEventListener("click", () => {
          store.toggle(row.key, children);
          draw();
        });
      }
      g.append(text);
      g.append(s("rect", { x: xOf(row.start), y: y + 8, width: Math.max(xOf(row.end) - xOf(row.start), 1),
        height: 2, class: "sfn-span" }));
      for (const [from, to] of backoffs(row)) {
        const gap = s("line", { x1: xOf(from), y1: y + 9, x2: xOf(to), y2: y + 9, stroke: BACKOFF,
          "stroke-dasharray": "3,2", class: "sfn-backoff" });
        hover(gap, () => [`${row.label}: backoff ${formatMs(to - from)}`]);
        g.append(gap);
      }
      bars(row).forEach(([start, end, status, error], n) => {
        const left = xOf(start);
        const bar = s("rect", { x: left, y: y + 4, width: Math.max(xOf(end) - left, 2), height: 10,
          rx: 2, fill: colour(status), class: "sfn-bar" });
        hover(bar, () => describe(row, n, start, end, status, error));
        g.append(bar);
      });
      svg.append(g);
    });
    const cursor = model.get("cursor");
    if (cursor !== null && cursor !== undefined) {
      // A debugger's time travel: the moment chosen on its slider.
      svg.append(s("line", { x1: xOf(cursor), y1: AXIS - 4, x2: xOf(cursor), y2: height, class: "sfn-cursor" }));
    }
    if (visible.length > shown.length) {
      svg.append(s("text", { x: 6, y: AXIS + shown.length * ROW + 13, class: "sfn-muted" },
        `… ${visible.length - shown.length} more rows`));
    }
    canvas.replaceChildren(store.rows.size ? svg : h("div", "sfn-empty", "No states entered yet."));
    rowCount = shown.length + (visible.length > shown.length ? 1 : 0);
    where();
  };

  const hover = (target: SVGElement, lines: () => string[]): void => {
    target.addEventListener("mousemove", (event) => {
      tip.replaceChildren(...lines().map((line) => h("div", "", line)));
      const box = root.getBoundingClientRect();
      tip.style.left = `${event.clientX - box.left + 12}px`;
      tip.style.top = `${event.clientY - box.top + 12}px`;
      tip.hidden = false;
    });
    target.addEventListener("mouseleave", () => {
      tip.hidden = true;
    });
  };

  const onMessage = (message: FromPython): void => {
    if (message.type !== "rows") return;
    store.apply(message, performance.now());
    root.dataset.status = message.status;
    schedule();
  };

  model.on("msg:custom", onMessage);
  model.on("change:cursor", schedule);
  model.on("change:palette", schedule);
  model.on("change:palette", drawKey);
  const hello: HelloRequest = { type: "hello" };
  model.send(hello);
  draw();
  return () => {
    clearInterval(ticker);
    if (frame) cancelAnimationFrame(frame);
    model.off("msg:custom", onMessage);
    model.off("change:cursor", schedule);
    model.off("change:palette", schedule);
    model.off("change:palette", drawKey);
    canvas.removeEventListener("scroll", where);
  };
}

function describe(
  row: TimelineRow,
  n: number,
  start: number | null,
  end: number | null,
  status: string,
  error: string | null,
): string[] {
  const lines = [`${row.label} (${row.type})`];
  lines.push(row.attempts.length ? `attempt ${n + 1} of ${row.attempts.length}: ${statusLabel(status)}`
    : statusLabel(status));
  if (start !== null) {
    lines.push(end === null ? `started +${formatMs(start)}, running` : `+${formatMs(start)} for ${formatMs(end - start)}`);
  }
  if (error) lines.push(`error: ${error}`);
  return lines;
}
