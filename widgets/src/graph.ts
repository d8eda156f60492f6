// ExecutionGraph: the SVG Python laid out, recoloured from the `nodes` trait; click a state to
// inspect it.

import type { AnyModel } from "@anywidget/types";
import { parseSafeSvg } from "../../labextension/src/svgsafe";
import { ZoomView } from "../../labextension/src/zoom";
import { h } from "./dom";
import { exportButtons } from "./graphexport";
import { inspector } from "./inspector";
import { legend } from "./legend";
import type { GraphTraits, NodeState } from "./protocol";

interface DrawnNode {
  group: SVGGElement;
  shapes: SVGElement[];
  subtitle: SVGTextElement | null;
  original: string | null;
}

export function renderGraph(model: AnyModel<GraphTraits>, el: HTMLElement): () => void {
  const canvas = h("div", "sfn-graph-canvas");
  const panel = h("div", "sfn-graph-details");
  panel.hidden = true;
  // Zoom, pan, fit and export (graphexport.ts); the canvas's CSS max-height bounds the fit.
  const exports = exportButtons(model, () => zoom.svg);
  const zoom = new ZoomView(canvas, { maxHeight: 720, extraButtons: exports.buttons });
  const root = h("div", "sfn-graph-widget", h("div", "sfn-graph-main", zoom.toolbar, canvas), panel);
  const key = h("div", "");
  el.append(root, key);
  const drawKey = (): void => {
    key.replaceChildren(legend(model.get("palette") ?? {}, [
      ["sfn-line-catch", "Catch (error names on the edge)"],
      ["sfn-line-container", "Map iterations / Parallel branches"],
    ]));
  };
  let drawn = new Map<string, DrawnNode>();
  let selected: string | null = null;

  const draw = (): void => {
    canvas.replaceChildren();
    drawn = new Map();
    const svg = parseSafeSvg(model.get("svg"), document);
    if (!svg) {
      zoom.clear();
      canvas.append(h("div", "sfn-empty", "No definition to draw for this execution."));
      return;
    }
    // Natural size (graphviz's points), shrunk to the cell's width by CSS when wider.
    svg.classList.add("sfn-graph-svg");
    // Graphviz paints a white page behind the graph: let the notebook's theme show instead.
    svg.querySelector("g.graph polygon")?.setAttribute("fill", "none"); // the first: the page
    for (const group of Array.from(svg.querySelectorAll<SVGGElement>("g.node"))) {
      if (!group.classList.contains("sfn-state")) continue;
      const texts = group.querySelectorAll<SVGTextElement>("text");
      const subtitle = texts.length > 1 ? texts[texts.length - 1] : null;
      drawn.set(group.id, {
        group,
        shapes: Array.from(group.querySelectorAll<SVGElement>("path, polygon, ellipse, polyline")),
        subtitle,
        original: subtitle?.textContent ?? null,
      });
    }
    zoom.setSvg(svg); // a new definition: fitted again
    paint();
  };

  const paint = (): void => {
    const nodes = model.get("nodes") ?? {};
    const palette = model.get("palette") ?? {};
    for (const [id, node] of drawn) {
      const state: NodeState = nodes[id] ?? { status: "NOT_REACHED", counts: null, subtitle: null };
      const [fill, border] = palette[state.status] ?? palette.NOT_REACHED ?? ["#ffffff", "#879196"];
      for (const shape of node.shapes) {
        // Polylines are a Fail box's cut corners: lines, never filled.
        if (shape.tagName !== "polyline") shape.setAttribute("fill", fill);
        shape.setAttribute("stroke", border);
      }
      node.group.dataset.status = state.status;
      node.group.classList.toggle("sfn-selected", id === selected);
      if (node.subtitle) node.subtitle.textContent = state.subtitle ?? node.original;
    }
    root.dataset.status = model.get("status");
    // A big graph scrolls to the running state (then to a failed one) until the user moves it.
    const active = [...drawn].find(([id]) => nodes[id]?.status === "RUNNING")
      ?? [...drawn].find(([id]) => nodes[id]?.status === "FAILED");
    if (active) zoom.follow(active[1].group);
  };

  // A click on a state opens the state inspector (inspector.ts) beside the graph.
  const inspect = inspector(model, () => {
    selected = null;
    panel.hidden = true;
    paint();
  });
  panel.append(inspect.el);
  const onClick = (event: MouseEvent): void => {
    const group = (event.target as Element | null)?.closest?.("g.node.sfn-state");
    if (!group || !drawn.has(group.id)) return;
    selected = group.id;
    paint();
    panel.hidden = false;
    inspect.open({ node: group.id });
  };

  canvas.addEventListener("click", onClick);
  model.on("change:svg", draw);
  model.on("change:nodes", paint);
  model.on("change:status", paint);
  model.on("change:palette", drawKey);
  draw();
  drawKey();
  return () => {
    zoom.dispose();
    exports.dispose();
    model.off("change:palette", drawKey);
    canvas.removeEventListener("click", onClick);
    model.off("change:svg", draw);
    model.off("change:nodes", paint);
    model.off("change:status", paint);
    inspect.dispose();
  };
}
