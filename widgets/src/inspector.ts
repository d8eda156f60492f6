// The state inspector: what a state got and made at each stage of its I/O pipeline, per visit.
// A click on a graph node, a timeline row or an event row opens it (each view holds one); the
// picker chooses among the state's visits (Map iterations, retry attempts). Python answers each
// InspectRequest with an InspectionReply (sfn_notebook/notebook/inspector.py). Everything from
// the workflow reaches the page as text (dom.ts's h and foldable), never as HTML.

import type { AnyModel } from "@anywidget/types";
import { foldable, h } from "./dom";
import { statusLabel } from "./format";
import type { FromPython, InspectedVisit, InspectionReply, InspectRequest, Palette } from "./protocol";

/** What to inspect: a graph node, a timeline row, an event, or a state's visit. */
export type InspectTarget = Omit<InspectRequest, "type" | "request">;

export interface Inspector {
  /** The panel; hidden until something is inspected. */
  el: HTMLElement;
  open(target: InspectTarget): void;
  close(): void;
  dispose(): void;
}

const OPEN_BELOW = 4000; // characters: longer stages start folded

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function inspector(model: AnyModel<any>, onClose: () => void = () => undefined): Inspector {
  const el = h("div", "sfn-inspector");
  el.hidden = true;
  let request = 0;
  let state = "";

  const open = (target: InspectTarget): void => {
    request += 1;
    el.hidden = false;
    el.dataset.loading = "true";
    if (!el.firstChild) el.append(h("div", "sfn-muted", "Loading…"));
    const message: InspectRequest = { type: "inspect", request, ...target };
    model.send(message);
  };

  const close = (): void => {
    request += 1; // a reply still on its way is not shown
    el.hidden = true;
    el.replaceChildren();
    onClose();
  };

  const onMessage = (message: FromPython): void => {
    if (message.type !== "inspection" || message.request !== request) return;
    delete el.dataset.loading;
    if (!message.state) {
      // An event outside any state (ExecutionStarted ...): nothing to inspect, no panel.
      el.hidden = true;
      el.replaceChildren();
      return;
    }
    state = message.state;
    el.dataset.state = state;
    // The graph's and the timeline's palette colours the visit's badge as the header's (the
    // event table has none: a plain badge).
    const palette = (model.get("palette") ?? {}) as Palette;
    el.replaceChildren(
      ...panel(message, (key, attempt) => open({ state, key, attempt }), close, palette),
    );
  };

  model.on("msg:custom", onMessage);
  return {
    el,
    open,
    close,
    dispose: () => model.off("msg:custom", onMessage),
  };
}

function panel(
  reply: InspectionReply,
  pick: (key: number, attempt: number) => void,
  close: () => void,
  palette: Palette = {},
): HTMLElement[] {
  const closeButton = h("button", "sfn-close", "×");
  closeButton.title = "Close the inspector";
  closeButton.addEventListener("click", close);
  const out: HTMLElement[] = [
    h("div", "sfn-details-title sfn-inspector-title",
      h("strong", "", reply.state || "Inspector"), reply.state_type ? ` ${reply.state_type}` : "",
      closeButton),
  ];
  if (reply.message) out.push(h("div", "sfn-muted sfn-inspector-message", reply.message));
  if (reply.visits.length > 1) {
    const picker = h("select", "sfn-visit-picker");
    picker.title = "Visit (Map iteration, retry attempt)";
    reply.visits.forEach((visit, index) => {
      const option = h("option", "", `${visit.label} · ${statusLabel(visit.status)}`);
      option.value = String(index);
      picker.append(option);
    });
    picker.value = String(reply.selected);
    picker.addEventListener("change", () => {
      const visit = reply.visits[Number(picker.value)];
      if (visit) pick(visit.key, visit.attempt);
    });
    const count = reply.total > reply.visits.length
      ? ` (${reply.visits.length} of ${reply.total} listed; click a timeline row for the others)`
      : ` (${reply.total})`;
    out.push(h("label", "sfn-inspector-picker", "Visit ", picker, h("span", "sfn-muted", count)));
  }
  if (reply.current) out.push(visitBlock(reply.current, palette));
  if (reply.definition) out.push(foldable("Definition", reply.definition));
  return out;
}

function visitBlock(visit: InspectedVisit, palette: Palette): HTMLElement {
  const badge = h("span", `sfn-badge sfn-status-${visit.status}`, statusLabel(visit.status));
  const colours = palette[visit.status];
  if (colours) {
    badge.style.background = colours[0];
    badge.style.borderColor = colours[1];
  }
  const block = h("div", "sfn-inspector-visit", h("div", "", badge, ` ${visit.label}`));
  block.dataset.key = String(visit.key);
  block.dataset.attempt = String(visit.attempt);
  if (visit.note) block.append(h("div", "sfn-muted sfn-inspector-note", visit.note));
  for (const [stage, label, text] of visit.stages) {
    const fold = foldable(label, text, text.length < OPEN_BELOW);
    fold.classList.add("sfn-stage");
    fold.dataset.stage = stage;
    block.append(fold);
  }
  if (visit.variables !== null) {
    const fold = foldable("Variables assigned", visit.variables, true);
    fold.classList.add("sfn-stage");
    fold.dataset.stage = "variables";
    block.append(fold);
  }
  if (visit.error !== null) block.append(h("div", "sfn-error", `Error: ${visit.error}`));
  if (visit.cause !== null) block.append(foldable("Cause", visit.cause, true));
  if (visit.log !== null) {
    const fold = foldable("Function log", visit.log, true);
    fold.classList.add("sfn-inspector-log");
    fold.querySelector("pre")?.classList.add("sfn-log");
    block.append(fold);
  }
  return block;
}
