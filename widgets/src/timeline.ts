// RetryTimeline: a Gantt of visits and attempts, patched by RowsUpdate messages. Map iterations
// fold under their Map (in groups when there are many); the time axis zooms (buttons, or the
// wheel with Ctrl/⌘ held; Shift+wheel pans) and keeps round tick steps; hover a bar for its
// start, end, duration and attempt. Only the rows in sight are drawn, so a Map of 1,000
// iterations opened whole scrolls and updates as cheaply as a small one.

import type { AnyModel } from "@anywidget/types";
import { h, s } from "./dom";
import { formatMs, shorten, statusLabel } from "./format";
import type { FromPython, HelloRequest, RowsUpdate, TimelineRow, TimelineTraits } from "./protocol";
import { inspector } from "./inspector";
import { legend } from "./legend";
import { measure } from "./perf";
import { backoffs, bars, RowStore, type VisibleRow } from "./rows";
import { ticks, TimeWindow } from "./timewindow";

const LABEL = 190;
const CHART = 560;
const ROW = 18;
const AXIS = 24;
const SPARE = 10; // rows drawn above and below the visible part, so a scroll never shows a gap
const BACKOFF = "#c46c00";
const FIT = 26; // rows in sight before the timeline scrolls (whole rows: none is cut in half)
const LINES: Array<[string, string]> = [
  ["sfn-line-span", "state entered → left"],
  ["sfn-line-backoff", "backoff before a retry"],
];

export function renderTimeline(model: AnyModel<TimelineTraits>, el: HTMLElement): () => void {
  const store = new RowStore();
  const zoom = new TimeWindow();
  const canvas = h("div", "sfn-timeline-canvas");
  canvas.style.maxHeight = `${AXIS + FIT * ROW + 6}px`;
  // Says how many rows lie below the box, so a long Map never looks cut short.
  const more = h("div", "sfn-timeline-more sfn-muted");
  more.hidden = true;
  const key = h("div", "");
  const tip = h("div", "sfn-tip");
  tip.hidden = true;
  const button = (text: string, title: string, action: () => void): HTMLButtonElement => {
    const b = h("button", "sfn-zoom-button", text);
    b.title = title;
    b.addEventListener("click", action);
    return b;
  };
  const zoomOut = button("−", "Zoom out the time axis", () => zoomBy(1 / 2));
  const zoomIn = button("+", "Zoom in the time axis (or Ctrl/⌘ + wheel over the chart)", () => zoomBy(2));
  const fit = button("Fit", "Show the whole run", () => {
    zoom.fit();
    draw();
  });
  const range = h("span", "sfn-muted sfn-zoom-range");
  const toolbar = h("div", "sfn-toolbar sfn-timeline-toolbar", h("span", "sfn-muted", "time"), zoomOut,
    zoomIn, fit, range,
    button("expand all", "Open every Map, group and Parallel", () => {
      store.setAll(true);
      draw();
    }),
    button("collapse all", "Fold every Map, group and Parallel", () => {
      store.setAll(false);
      draw();
    }));
  const root = h("div", "sfn-timeline-widget", toolbar, canvas, more, key, tip);
  el.append(root);
  // A click on a row (not on its fold toggle) inspects that visit (inspector.ts).
  const inspect = inspector(model);
  root.append(inspect.el);
  const onRowClick = (event: MouseEvent): void => {
    const target = event.target as Element | null;
    if (!target || target.classList.contains("sfn-toggle")) return;
    // On a label or a bar, or anywhere across the row's height.
    let row = target.closest?.("g.sfn-row") as SVGGElement | null;
    for (const g of row ? [] : Array.from(canvas.querySelectorAll<SVGGElement>("g.sfn-row"))) {
      const box = g.getBoundingClientRect();
      if (event.clientY >= box.top && event.clientY < box.bottom) row = g;
    }
    if (row?.dataset.key) inspect.open({ row: row.dataset.key });
  };
  canvas.addEventListener("click", onRowClick);
  let visible: VisibleRow[] = [];
  let firstRows = true;
  const where = (): void => {
    const count = visible.length;
    const first = Math.max(0, Math.floor((canvas.scrollTop - AXIS) / ROW)) + 1;
    const last = Math.min(count, Math.floor((canvas.scrollTop + canvas.clientHeight - AXIS - 6) / ROW));
    const below = canvas.scrollHeight - canvas.scrollTop - canvas.clientHeight > 1;
    more.hidden = count <= FIT;
    root.classList.toggle("sfn-more-below", below && count > FIT);
    more.textContent = `rows ${first}–${last} of ${count}${below ? " · scroll for more ↓" : ""}`;
  };
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

  // The rows drawn last, by key: the tooltip reads them (one listener for every bar).
  let drawnRows = new Map<string, TimelineRow>();
  let span = 1;
  let from = 0;
  let to = 1;

  const draw = (): void => {
    const began = performance.now();
    visible = store.visible();
    const end = store.now(began);
    span = store.span(began);
    [from, to] = zoom.range(span);
    const { times } = ticks(from, to);
    const scale = CHART / Math.max(to - from, 1e-9);
    const height = AXIS + ROW * visible.length + 6;
    const width = LABEL + CHART + 20;
    const svg = s("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "sfn-timeline-svg" });
    // Only the rows in sight (and SPARE around them) are drawn; the SVG keeps its full height so
    // the scrollbar tells the truth.
    const top = canvas.scrollTop;
    // At least the box's full height: it may be about to grow to it with the rows drawn now.
    const sight = Math.max(canvas.clientHeight, AXIS + FIT * ROW + 6);
    const firstRow = Math.max(0, Math.floor((top - AXIS) / ROW) - SPARE);
    const lastRow = Math.min(visible.length, Math.ceil((top + sight - AXIS) / ROW) + SPARE);
    for (const t of times) {
      const x = LABEL + (t - from) * scale;
      svg.append(s("line", { x1: x, y1: AXIS - 4, x2: x, y2: height, class: "sfn-grid" }));
    }
    const clamp = (x: number): number => Math.min(Math.max(x, LABEL), LABEL + CHART);
    const xOf = (ms: number | null): number => LABEL + ((ms ?? end ?? span) - from) * scale;
    const outside = (a: number | null, b: number | null): boolean =>
      (b ?? end ?? span) < from || (a ?? 0) > to;
    drawnRows = new Map();
    for (let i = firstRow; i < lastRow; i++) {
      const { row, depth, children, collapsed } = visible[i];
      drawnRows.set(row.key, row);
      const y = AXIS + i * ROW;
      const g = s("g", { class: `sfn-row sfn-row-${row.kind}`, "data-key": row.key });
      let label = shorten(row.label, 26);
      if (row.attempts.length > 1) label += ` ×${row.attempts.length}`;
      if (children) label = `${collapsed ? "▸" : "▾"} ${label}${collapsed ? ` (${children})` : ""}`;
      const text = s("text", { x: 6 + depth * 12, y: y + 13, class: "sfn-row-label" }, label);
      if (children) {
        text.classList.add("sfn-toggle");
        text.dataset.toggle = String(children);
      }
      g.append(text);
      if (!outside(row.start, row.end)) {
        const left = clamp(xOf(row.start));
        g.append(s("rect", { x: left, y: y + 8, width: Math.max(clamp(xOf(row.end)) - left, 1),
          height: 2, class: "sfn-span" }));
      }
      backoffs(row).forEach(([gapFrom, gapTo], n) => {
        if (outside(gapFrom, gapTo)) return;
        g.append(s("line", { x1: clamp(xOf(gapFrom)), y1: y + 9, x2: clamp(xOf(gapTo)), y2: y + 9,
          stroke: BACKOFF, "stroke-dasharray": "3,2", class: "sfn-backoff", "data-gap": n }));
      });
      bars(row).forEach(([start, stop, status], n) => {
        if (outside(start, stop)) return;
        const left = clamp(xOf(start));
        g.append(s("rect", { x: left, y: y + 4, width: Math.max(clamp(xOf(stop)) - left, 2), height: 10,
          rx: 2, fill: colour(status), class: "sfn-bar", "data-attempt": n }));
      });
      svg.append(g);
    }
    const cursor = model.get("cursor");
    if (cursor !== null && cursor !== undefined && !outside(cursor, cursor)) {
      // A debugger's time travel: the moment chosen on its slider.
      svg.append(s("line", { x1: xOf(cursor), y1: AXIS - 4, x2: xOf(cursor), y2: height, class: "sfn-cursor" }));
    }
    // The axis stays at the top of the box however far it is scrolled.
    const axisTop = Math.max(0, Math.min(top, height - AXIS));
    const axis = s("g", { class: "sfn-axis-band" });
    axis.append(s("rect", { x: 0, y: axisTop, width, height: AXIS - 4, class: "sfn-axis-back" }));
    for (const t of times) {
      axis.append(s("text", { x: LABEL + (t - from) * scale, y: axisTop + AXIS - 8, "text-anchor": "middle",
        class: "sfn-axis" }, formatMs(t)));
    }
    svg.append(axis);
    canvas.replaceChildren(store.rows.size ? svg : h("div", "sfn-empty", "No states entered yet."));
    canvas.scrollTop = top; // replacing the SVG must not jump the scroll position
    range.textContent = zoom.zoomed ? `+${formatMs(from)} – +${formatMs(to)}` : "whole run";
    fit.disabled = zoomOut.disabled = !zoom.zoomed;
    root.dataset.zoomed = String(zoom.zoomed);
    where();
    measure("sfn-timeline-draw", began);
    if (firstRows && store.rows.size) {
      firstRows = false;
      performance.mark("sfn-timeline-first-rows");
    }
  };

  const timeAt = (clientX: number): number => {
    const svg = canvas.querySelector("svg");
    const box = svg?.getBoundingClientRect();
    if (!box || !box.width) return (from + to) / 2;
    const x = ((clientX - box.left) / box.width) * (LABEL + CHART + 20) - LABEL;
    return from + (Math.min(Math.max(x, 0), CHART) / CHART) * (to - from);
  };

  const zoomBy = (factor: number, at = (from + to) / 2): void => {
    zoom.zoom(factor, at, span);
    draw();
  };

  const onWheel = (event: WheelEvent): void => {
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      zoomBy(event.deltaY < 0 ? 1.25 : 0.8, timeAt(event.clientX));
    } else if (zoom.zoomed && (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY))) {
      event.preventDefault();
      const delta = event.shiftKey ? event.deltaY || event.deltaX : event.deltaX;
      zoom.pan((delta / CHART) * (to - from), span);
      draw();
    }
  };

  const onClick = (event: MouseEvent): void => {
    const target = event.target as Element | null;
    if (!target?.classList.contains("sfn-toggle")) return;
    const rowKey = target.closest("g.sfn-row")?.getAttribute("data-key");
    if (!rowKey) return;
    store.toggle(rowKey, Number((target as SVGElement).dataset.toggle ?? 0));
    draw();
  };

  const onMove = (event: MouseEvent): void => {
    const target = event.target as Element | null;
    const rowKey = target?.closest("g.sfn-row")?.getAttribute("data-key");
    const row = rowKey ? drawnRows.get(rowKey) : undefined;
    const attempt = target?.getAttribute("data-attempt");
    const gap = target?.getAttribute("data-gap");
    if (!row || (attempt === null && gap === null) || !target) {
      tip.hidden = true;
      return;
    }
    const lines = attempt !== null ? describe(row, Number(attempt)) : describeGap(row, Number(gap));
    tip.replaceChildren(...lines.map((line) => h("div", "", line)));
    const box = root.getBoundingClientRect();
    tip.style.left = `${event.clientX - box.left + 12}px`;
    tip.style.top = `${event.clientY - box.top + 12}px`;
    tip.hidden = false;
  };
  const onLeave = (): void => {
    tip.hidden = true;
  };

  const onMessage = (message: FromPython): void => {
    if (message.type !== "rows") return;
    store.apply(message, performance.now());
    root.dataset.status = message.status;
    schedule();
  };

  canvas.addEventListener("scroll", schedule);
  canvas.addEventListener("wheel", onWheel, { passive: false });
  canvas.addEventListener("click", onClick);
  canvas.addEventListener("mousemove", onMove);
  canvas.addEventListener("mouseleave", onLeave);
  model.on("msg:custom", onMessage);
  model.on("change:cursor", schedule);
  model.on("change:palette", schedule);
  model.on("change:palette", drawKey);
  // The rows at construction first (a trait: there even if patches went out before this view
  // existed), then a full reset asked for, answered when the kernel is free to read the ask.
  const snapshot = model.get("snapshot");
  if (snapshot && "rows" in snapshot) store.apply(snapshot as RowsUpdate, performance.now());
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
    canvas.removeEventListener("scroll", schedule);
    canvas.removeEventListener("wheel", onWheel);
    canvas.removeEventListener("click", onClick);
    canvas.removeEventListener("mousemove", onMove);
    canvas.removeEventListener("mouseleave", onLeave);
    canvas.removeEventListener("click", onRowClick);
    inspect.dispose();
  };
}

/** A bar's tooltip: what it is, which attempt, its start, end and duration (ms since the run
 * started), and its error. */
export function describe(row: TimelineRow, n: number): string[] {
  const [start, end, status, error] = bars(row)[n] ?? [row.start, row.end, row.status, row.error];
  const lines = [`${row.label} (${row.type})`];
  lines.push(row.attempts.length ? `attempt ${n + 1} of ${row.attempts.length}: ${statusLabel(status)}`
    : statusLabel(status));
  if (start !== null) lines.push(`start +${formatMs(start)}`);
  lines.push(end === null ? "end: still running" : `end +${formatMs(end)}`);
  if (start !== null && end !== null) lines.push(`duration ${formatMs(end - start)}`);
  if (error) lines.push(`error: ${error}`);
  return lines;
}

/** A backoff gap's tooltip: the wait before retry `n + 1`. */
export function describeGap(row: TimelineRow, n: number): string[] {
  const found = backoffs(row)[n];
  if (!found) return [row.label];
  const [from, to] = found;
  return [`${row.label}: backoff before attempt ${n + 2}`, `from +${formatMs(from)} to +${formatMs(to)}`,
    `waited ${formatMs(to - from)}`];
}
