// The anywidget entry point for every sfn-notebook widget; the `kind` trait picks the view.

import type { AnyModel, RenderProps } from "@anywidget/types";
import { h } from "./dom";
import { formatMs, progress, statusLabel } from "./format";
import { type DebugTraits, renderDebugger } from "./debugger";
import { renderGraph } from "./graph";
import { renderMapRuns } from "./maprun";
import type { EventsTraits, GraphTraits, HeaderTraits, MapRunTraits, TimelineTraits } from "./protocol";
import { renderScope } from "./scope";
import { renderTable } from "./table";
import { renderTimeline } from "./timeline";

function renderHeader(model: AnyModel<HeaderTraits>, el: HTMLElement): () => void {
  const root = h("div", "sfn-header");
  el.append(root);
  let receivedAt = performance.now();
  const duration = h("span", "");
  const tick = (): void => {
    const header = model.get("header");
    if (!header || header.duration === null) {
      duration.textContent = "";
      return;
    }
    const extra = header.ticking ? performance.now() - receivedAt : 0;
    if (!header.ticking) {
      duration.textContent = formatMs(header.duration);
      return;
    }
    // Whole seconds while ticking: a run in progress need not flicker through milliseconds.
    const seconds = Math.floor((header.duration + extra) / 1000);
    duration.textContent = seconds < 60 ? `${seconds} s` : formatMs(seconds * 1000);
  };
  const ticker = setInterval(() => {
    if (model.get("header")?.ticking) tick();
  }, 500);
  const draw = (): void => {
    receivedAt = performance.now();
    const header = model.get("header");
    if (!header) return;
    const palette = model.get("palette") ?? {};
    const badge = h("span", `sfn-badge sfn-status-${header.status}`, statusLabel(header.status));
    const colours = palette[header.status];
    if (colours) {
      badge.style.background = colours[0];
      badge.style.borderColor = colours[1];
    }
    root.dataset.status = header.status;
    root.replaceChildren(
      h("strong", "sfn-name", header.name || "execution"),
      badge,
      duration,
      h("span", "sfn-progress", progress(header)),
      h("span", "sfn-muted", `${header.events} events`),
    );
    tick();
  };
  model.on("change:header", draw);
  draw();
  return () => {
    clearInterval(ticker);
    model.off("change:header", draw);
  };
}

function render({ model, el }: RenderProps): () => void {
  el.classList.add("sfn-widget");
  switch (model.get("kind")) {
    case "graph": {
      // The scope bar (pick a Map iteration / Parallel branch) sits above the graph.
      const graph = model as unknown as AnyModel<GraphTraits>;
      const cleanups = [renderScope(graph, el), renderGraph(graph, el)];
      return () => cleanups.forEach((cleanup) => cleanup());
    }
    case "timeline":
      return renderTimeline(model as unknown as AnyModel<TimelineTraits>, el);
    case "events":
      return renderTable(model as unknown as AnyModel<EventsTraits>, el);
    case "header":
      return renderHeader(model as unknown as AnyModel<HeaderTraits>, el);
    case "maprun":
      return renderMapRuns(model as unknown as AnyModel<MapRunTraits>, el);
    case "debugger":
      return renderDebugger(model as unknown as AnyModel<DebugTraits>, el);
    default:
      el.append(h("div", "sfn-empty", `Unknown sfn-notebook widget: ${String(model.get("kind"))}`));
      return () => undefined;
  }
}

export default { render };
