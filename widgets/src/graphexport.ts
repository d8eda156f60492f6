// The graph widget's export buttons: the graph as drawn (SVG, PNG; labextension/src/export.ts,
// shared with the JupyterLab editor) and the execution as JSON, which Python writes (the browser
// has only the drawing) in the shape of `describe-execution` plus `get-execution-history`'s events.

import type { AnyModel } from "@anywidget/types";
import { download, exportPng, exportSvgText, fileStem } from "../../labextension/src/export";
import { h } from "./dom";
import type { ExportReply, ExportRequest, FromPython, GraphTraits } from "./protocol";

/** The graph's name, as Graphviz wrote it into the SVG's first `<title>`. */
function graphName(svg: SVGSVGElement): string {
  const title = svg.querySelector("g.graph > title")?.textContent ?? "";
  return fileStem(title === "state machine" ? "" : title);
}

function button(label: string, title: string, name: string, run: () => Promise<void> | void): HTMLButtonElement {
  const el = h("button", `sfn-zoom-button sfn-export-${name}`, label);
  el.type = "button";
  el.title = title;
  el.setAttribute("aria-label", title);
  el.addEventListener("click", () => {
    el.disabled = true;
    Promise.resolve()
      .then(run)
      .catch((reason: unknown) => {
        el.title = `${title}: failed (${reason instanceof Error ? reason.message : String(reason)})`;
      })
      .finally(() => {
        el.disabled = false;
      });
  });
  return el;
}

/** SVG, PNG and JSON buttons for the zoom toolbar; `current` is the SVG on show (or null). */
export function exportButtons(
  model: AnyModel<GraphTraits>,
  current: () => SVGSVGElement | null,
): { buttons: HTMLElement[]; dispose: () => void } {
  const onMessage = (message: FromPython | ExportReply): void => {
    if (message.type === "export") download(message.json, message.filename, "application/json");
  };
  model.on("msg:custom", onMessage);
  const separator = h("span", "sfn-zoom-sep");
  const buttons = [
    separator,
    button("SVG", "Download the graph as SVG", "svg", () => {
      const svg = current();
      if (svg) download(exportSvgText(svg), `${graphName(svg)}.svg`, "image/svg+xml");
    }),
    button("PNG", "Download the graph as PNG", "png", async () => {
      const svg = current();
      if (svg) download(await exportPng(svg), `${graphName(svg)}.png`);
    }),
    button("JSON", "Download the execution as JSON (describe-execution and its history events)", "json", () => {
      const request: ExportRequest = { type: "export" };
      model.send(request);
    }),
  ];
  return { buttons, dispose: () => model.off("msg:custom", onMessage) };
}
