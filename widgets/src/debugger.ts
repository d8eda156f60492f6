// DebugPanel: breakpoints, Step / Continue / Stop, the paused state with its pending input, and
// a time-travel slider over the history (the graph follows it; arrow keys step one event).
// Python (sfn_notebook/notebook/debugger.py) does the work; this only draws and asks.

import type { AnyModel } from "@anywidget/types";
import { foldable, h } from "./dom";
import type { DebugRequest, TravelRequest } from "./protocol";

interface Paused {
  state: string;
  kind: string;
  visit: number;
  map_iteration: number | null;
  input: string | null;
  error: string | null;
  count: number;
}

interface MomentInfo {
  event_id: number;
  event_type: string;
  state: string | null;
  input: string | null;
  variables: string;
}

/** The synced traits of the `debugger` kind. */
export interface DebugTraits {
  kind: "debugger";
  states: string[];
  state_nodes: Record<string, string>;
  breakpoints: string[];
  paused: Paused | Record<string, never>;
  events: number;
  moment: number;
  moment_info: MomentInfo | Record<string, never>;
  status: string;
  error: string;
}

export function renderDebugger(model: AnyModel<DebugTraits>, el: HTMLElement): () => void {
  const root = h("div", "sfn-debugger");
  root.dataset.lmSuppressShortcuts = "true"; // JupyterLab: keys here are the panel's own
  // The parts that are redrawn, and the time-travel row that stays (so the slider keeps the
  // keyboard focus while it moves).
  const top = h("div", "sfn-debug-top");
  const bottom = h("div", "sfn-debug-bottom");
  const momentLabel = h("span", "sfn-debug-moment");
  const send = (action: DebugRequest["action"], state: string | null = null): void => {
    const request: DebugRequest = { type: "debug", action, state };
    model.send(request);
  };
  const travel = (event: number): void => {
    const request: TravelRequest = { type: "travel", event };
    model.send(request);
  };
  const button = (label: string, title: string, action: DebugRequest["action"]) => {
    const b = h("button", `sfn-debug-button sfn-debug-${action}`, label);
    b.title = title;
    b.addEventListener("click", () => send(action));
    return b;
  };
  const slider = h("input", "sfn-debug-slider");
  slider.type = "range";
  slider.min = "0";
  slider.step = "1";
  slider.setAttribute("aria-label", "Time travel: event");
  // 0 is the live end; 1..events replay the history. Left/right arrows move one event: caught
  // on the window before the page's keyboard shortcuts (Notebook 7's take them on the document,
  // so the slider would never see them).
  slider.addEventListener("input", () => travel(Number(slider.value)));
  const onKey = (event: KeyboardEvent): void => {
    if (event.target !== slider) return;
    const delta = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!delta) return;
    event.preventDefault();
    event.stopPropagation();
    const next = Math.max(0, Math.min(Number(slider.max), Number(slider.value) + delta));
    slider.value = String(next);
    travel(next);
  };
  window.addEventListener("keydown", onKey, true);

  // Clicking a state on the view's graph toggles its breakpoint (while "click to set" is on; off,
  // a click opens the state's details as usual). Caught before the graph's own click handler.
  const pick = h("input", "sfn-debug-pick");
  pick.type = "checkbox";
  pick.checked = true;
  const pickLabel = h("label", "sfn-muted", pick, " click a state on the graph to set a breakpoint");
  const view = (): Element | null => el.closest(".sfn-execution-view");
  const stateOf = (node: Element): string | null => {
    for (const [name, id] of Object.entries(model.get("state_nodes") ?? {})) {
      if (id === node.id) return name;
    }
    return null;
  };
  const onGraphClick = (event: MouseEvent): void => {
    if (!pick.checked || model.get("status") !== "RUNNING") return;
    const node = (event.target as Element | null)?.closest?.("g.node.sfn-state");
    const scope = view();
    if (!node || !scope || !scope.contains(node)) return;
    const name = stateOf(node);
    if (name === null) return;
    event.stopPropagation();
    event.preventDefault();
    send("toggle", name);
  };
  document.addEventListener("click", onGraphClick, true);
  const markGraph = (): void => {
    const set = new Set(model.get("breakpoints") ?? []);
    const nodes = model.get("state_nodes") ?? {};
    const on = new Set(Object.entries(nodes).filter(([name]) => set.has(name)).map(([, id]) => id));
    for (const node of Array.from(view()?.querySelectorAll("g.node.sfn-state") ?? [])) {
      node.classList.toggle("sfn-breakpoint", on.has(node.id));
    }
  };
  const live = h("button", "sfn-debug-button sfn-debug-live", "Live");
  live.title = "Back to the live execution";
  live.addEventListener("click", () => travel(0));
  const travelRow = h("div", "sfn-debug-travel", h("span", "sfn-muted", "Time travel "), slider,
    momentLabel, live);
  root.append(top, travelRow, bottom);
  el.append(root);

  const draw = (): void => {
    const paused = model.get("paused") as Partial<Paused>;
    const running = model.get("status") === "RUNNING";
    const controls = h(
      "div",
      "sfn-debug-controls",
      button("Step", "Let the first paused line run to the next state", "step"),
      button("Continue", "Let every paused line run to the next breakpoint", "resume"),
      button("Stop", "Stop the execution (ABORTED)", "stop"),
    );
    for (const b of Array.from(controls.querySelectorAll("button"))) {
      b.disabled = !running || (b.classList.contains("sfn-debug-stop") ? false : !paused.state);
    }
    const where = paused.state
      ? h(
          "div",
          "sfn-debug-paused",
          h("strong", "", `Paused ${paused.kind === "state" ? "before" : paused.kind === "retry" ? "before a retry of" : "on a failure of"} ${paused.state}`),
          paused.map_iteration !== null && paused.map_iteration !== undefined
            ? ` · iteration ${paused.map_iteration}`
            : "",
          ` · visit ${paused.visit ?? 0}`,
          paused.count && paused.count > 1 ? ` · ${paused.count} lines paused` : "",
          paused.error ? h("span", "sfn-error", ` · ${paused.error}`) : "",
        )
      : h("div", "sfn-muted", running ? "Running" : `Ended: ${model.get("status")}`);
    const input = paused.input ? foldable("Pending input", paused.input, true) : null;
    const set = new Set(model.get("breakpoints") ?? []);
    const chips = h("div", "sfn-debug-breakpoints", h("span", "sfn-muted", "Breakpoints: "));
    for (const name of [...(model.get("states") ?? []), "*error"]) {
      const chip = h("button", "sfn-debug-chip", name);
      chip.classList.toggle("sfn-debug-on", set.has(name));
      chip.dataset.state = name;
      chip.title = set.has(name) ? `Remove the breakpoint on ${name}` : `Pause before ${name}`;
      chip.disabled = !running;
      chip.addEventListener("click", () => send("toggle", name));
      chips.append(chip);
    }
    const events = model.get("events") ?? 0;
    const moment = model.get("moment") ?? 0;
    slider.max = String(events);
    slider.value = String(moment);
    const info = model.get("moment_info") as Partial<MomentInfo>;
    momentLabel.textContent = moment
      ? `event ${moment} / ${events}: ${info.event_type ?? ""}${info.state ? ` · ${info.state}` : ""}`
      : `live · ${events} events`;
    live.hidden = !moment;
    const parts: (HTMLElement | null)[] = [controls, where, input, chips, pickLabel];
    markGraph();
    top.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
    const below: HTMLElement[] = [];
    if (moment && info.variables) below.push(foldable("Variables then", info.variables));
    if (moment && info.input) below.push(foldable("Input of that state", info.input));
    const error = model.get("error");
    if (error) below.push(h("div", "sfn-error", error));
    bottom.replaceChildren(...below);
    root.dataset.paused = paused.state ?? "";
  };
  const marker = setTimeout(markGraph, 500); // the graph may draw after this panel
  const names = ["paused", "breakpoints", "events", "moment", "moment_info", "status", "error", "states",
    "state_nodes"];
  for (const name of names) model.on(`change:${name}`, draw);
  draw();
  return () => {
    clearTimeout(marker);
    window.removeEventListener("keydown", onKey, true);
    document.removeEventListener("click", onGraphClick, true);
    for (const name of names) model.off(`change:${name}`, draw);
  };
}
