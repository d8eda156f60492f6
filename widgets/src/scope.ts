// The scope bar above the graph: pick a Map iteration or a Parallel branch and Python recolours
// the graph for it (the `scope` trait; notebook/scope.py does the colouring).

import type { AnyModel } from "@anywidget/types";
import { h } from "./dom";
import type { GraphTraits, Scope, ScopeChoice } from "./protocol";

const WHOLE = "";

/** The label of a choice in the container list: "Each (Map, 1000 iterations)". */
export function choiceLabel(choice: ScopeChoice): string {
  const noun = choice.type === "Parallel" ? "branch" : "iteration";
  const many = choice.type === "Parallel" ? "branches" : "iterations";
  return `${choice.state} (${choice.type}, ${choice.count} ${choice.count === 1 ? noun : many})`;
}

/** The next failed index after `index` (going round), or null when none failed. */
export function nextFailed(failed: number[], index: number | null): number | null {
  if (!failed.length) return null;
  return failed.find((i) => index === null || i > index) ?? failed[0];
}

/** An index kept inside [0, count): the selector never asks for an iteration that is not there. */
export function clampIndex(index: number, count: number): number {
  if (!Number.isFinite(index) || count <= 0) return 0;
  return Math.min(Math.max(0, Math.trunc(index)), count - 1);
}

export function renderScope(model: AnyModel<GraphTraits>, el: HTMLElement): () => void {
  const container = h("select", "sfn-scope-state");
  container.title = "Colour the graph for one Map iteration or Parallel branch";
  const index = h("input", "sfn-scope-index");
  index.type = "number";
  index.min = "0";
  const previous = h("button", "sfn-scope-prev", "‹");
  const next = h("button", "sfn-scope-next", "›");
  previous.title = "Previous iteration";
  next.title = "Next iteration";
  const of = h("span", "sfn-muted sfn-scope-of");
  const failed = h("button", "sfn-scope-failed");
  failed.title = "Show the next iteration (or branch) that failed";
  const bar = h("div", "sfn-toolbar sfn-scope", h("span", "sfn-muted", "Show"), container, previous,
    index, next, of, failed);
  bar.hidden = true;
  el.append(bar);

  const choices = (): ScopeChoice[] => model.get("scopes") ?? [];
  const current = (): Scope | null => {
    const scope = model.get("scope");
    return scope && "state" in scope ? (scope as Scope) : null;
  };
  const chosen = (): ScopeChoice | undefined => choices().find((c) => c.state === container.value);

  const set = (scope: Scope | null): void => {
    model.set("scope", scope ?? {});
    model.save_changes();
  };

  let drawn = "";
  const sync = (): void => {
    const list = choices();
    bar.hidden = list.length === 0;
    const scope = current();
    const labels = JSON.stringify(list.map(choiceLabel));
    if (labels !== drawn) {
      drawn = labels;
      fill(list);
    }
    container.value = scope && list.some((c) => c.state === scope.state) ? scope.state : WHOLE;
    const picked = chosen();
    const words = picked?.type === "Parallel" ? "branch" : "iteration";
    for (const part of [index, previous, next]) part.disabled = !picked;
    index.hidden = previous.hidden = next.hidden = of.hidden = !picked;
    // Failures are what one looks for among 1,000 iterations: a button steps through them.
    const failures = picked?.failed ?? choices().find((c) => c.failed.length)?.failed ?? [];
    failed.hidden = failures.length === 0;
    failed.textContent = `next failed (${failures.length}${failures.length >= 1000 ? "+" : ""}) ›`;
    if (!picked) return;
    index.max = String(Math.max(0, picked.count - 1));
    if (document.activeElement !== index) index.value = String(scope?.index ?? 0);
    previous.disabled = (scope?.index ?? 0) <= 0;
    next.disabled = (scope?.index ?? 0) >= picked.count - 1;
    of.textContent = `${words} of 0–${Math.max(0, picked.count - 1)}`;
  };

  // Rebuilt only when a label changes (a live Map's count grows), not on every update.
  const fill = (list: ScopeChoice[]): void => {
    const whole = h("option", "", "the whole run");
    whole.value = WHOLE;
    const options = [whole];
    for (const choice of list) {
      const option = h("option", "", choiceLabel(choice));
      option.value = choice.state;
      options.push(option);
    }
    container.replaceChildren(...options);
  };

  const go = (value: number): void => {
    const picked = chosen();
    if (!picked) return;
    set({ state: picked.state, index: clampIndex(value, picked.count) });
  };

  container.addEventListener("change", () => {
    if (container.value === WHOLE) set(null);
    else go(0);
  });
  // Typing a number shows that iteration after a short pause; Enter or leaving the box at once.
  let typing = 0;
  index.addEventListener("input", () => {
    clearTimeout(typing);
    typing = window.setTimeout(() => go(Number(index.value)), 300);
  });
  index.addEventListener("change", () => {
    clearTimeout(typing);
    go(Number(index.value));
  });
  failed.addEventListener("click", () => {
    const picked = chosen() ?? choices().find((c) => c.failed.length);
    if (!picked) return;
    const scope = current();
    const at = scope && scope.state === picked.state ? scope.index : null;
    const found = nextFailed(picked.failed, at);
    if (found !== null) set({ state: picked.state, index: found });
  });
  previous.addEventListener("click", () => go((current()?.index ?? 0) - 1));
  next.addEventListener("click", () => go((current()?.index ?? 0) + 1));
  model.on("change:scopes", sync);
  model.on("change:scope", sync);
  sync();
  return () => {
    clearTimeout(typing);
    model.off("change:scopes", sync);
    model.off("change:scope", sync);
  };
}
