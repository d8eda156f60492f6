// MapRunPanel: a Distributed Map's map runs, live. Per map run a stacked progress bar of its items
// by status, the counts, the latest failures (error and cause) and a child execution's details on
// a click; Python answers a ChildRequest with a ChildReply, and opens a kept failed child's own
// execution view under the panel.

import type { AnyModel } from "@anywidget/types";
import { foldable, h } from "./dom";
import { statusLabel } from "./format";
import type { ChildReply, ChildRequest, MapFailure, MapRunState, MapRunTraits, Palette } from "./protocol";

/** The itemCounts keys drawn in the bar, in the order a run moves items through them, with the
 * palette status each is coloured as (pending ones stay empty). */
export const SEGMENTS: Array<[string, string, string]> = [
  ["succeeded", "SUCCEEDED", "succeeded"],
  ["failed", "FAILED", "failed"],
  ["timedOut", "TIMED_OUT", "timed out"],
  ["aborted", "ABORTED", "aborted"],
  ["running", "RUNNING", "running"],
  ["pending", "PENDING", "pending"],
];

/** [key, share of the bar in %] for each non-empty segment; `total` 0 gives none. */
export function shares(items: Record<string, number>): Array<[string, number]> {
  const total = items.total ?? 0;
  if (!total) return [];
  return SEGMENTS.map(([key]) => [key, (100 * (items[key] ?? 0)) / total] as [string, number]).filter(
    ([, share]) => share > 0,
  );
}

/** "7 / 10 items done" (done: every item no longer pending or running). */
export function doneText(items: Record<string, number>): string {
  const total = items.total ?? 0;
  const done = total - (items.pending ?? 0) - (items.running ?? 0);
  return `${done} / ${total} item${total === 1 ? "" : "s"} done`;
}

export function renderMapRuns(model: AnyModel<MapRunTraits>, el: HTMLElement): () => void {
  const list = h("div", "sfn-mapruns");
  const details = h("div", "sfn-maprun-child");
  el.append(h("div", "sfn-maprun-widget", list, details));

  const ask = (run: MapRunState, index: number, name: string | null): void => {
    const message: ChildRequest = { type: "child", map_run: run.arn, index, name };
    details.replaceChildren(h("div", "sfn-muted", "…"));
    model.send(message);
  };

  const failureRow = (run: MapRunState, failure: MapFailure): HTMLElement => {
    const row = h(
      "tr",
      "sfn-expandable",
      h("td", "", failure.index >= 0 ? `#${failure.index}` : ""),
      h("td", "sfn-error", failure.error ?? statusLabel(failure.status)),
      h("td", "sfn-maprun-cause", failure.cause ?? (run.remote ? failure.name.split(":").pop() ?? "" : "")),
    );
    row.title = failure.name;
    row.addEventListener("click", () => ask(run, failure.index, run.remote ? failure.name : null));
    return row;
  };

  const bar = (run: MapRunState, palette: Palette): HTMLElement => {
    const track = h("div", "sfn-maprun-bar");
    track.setAttribute("role", "progressbar");
    track.setAttribute("aria-valuemin", "0");
    track.setAttribute("aria-valuemax", String(run.items.total ?? 0));
    const total = run.items.total ?? 0;
    track.setAttribute("aria-valuenow", String(total - (run.items.pending ?? 0) - (run.items.running ?? 0)));
    for (const [key, share] of shares(run.items)) {
      const segment = SEGMENTS.find(([k]) => k === key);
      if (!segment || key === "pending") continue;
      const part = h("span", `sfn-maprun-segment sfn-maprun-${key}`);
      const [fill, border] = palette[segment[1]] ?? ["#ffffff", "#879196"];
      part.style.width = `${share}%`;
      part.style.background = fill;
      part.style.borderColor = border;
      part.title = `${run.items[key]} ${segment[2]}`;
      track.append(part);
    }
    return track;
  };

  const counts = (run: MapRunState, palette: Palette): HTMLElement => {
    const items = SEGMENTS.filter(([key]) => (run.items[key] ?? 0) > 0 || key === "succeeded" || key === "failed").map(
      ([key, status, label]) => {
        const swatch = h("span", "sfn-swatch");
        const [fill, border] = palette[status] ?? ["#ffffff", "#879196"];
        swatch.style.background = fill;
        swatch.style.borderColor = border;
        return h("span", `sfn-legend-item sfn-maprun-count-${key}`, swatch, `${run.items[key] ?? 0} ${label}`);
      },
    );
    return h("div", "sfn-legend", ...items);
  };

  const draw = (): void => {
    const runs = model.get("runs") ?? [];
    const palette = model.get("palette") ?? {};
    if (!runs.length) {
      list.replaceChildren(h("div", "sfn-empty", "No map run yet."));
      return;
    }
    list.replaceChildren(
      ...runs.map((run) => {
        const badge = h("span", `sfn-badge sfn-status-${run.status}`, statusLabel(run.status));
        const colours = palette[run.status];
        if (colours) {
          badge.style.background = colours[0];
          badge.style.borderColor = colours[1];
        }
        const head = h(
          "div",
          "sfn-maprun-head",
          h("strong", "", `Map run · ${run.label}`),
          badge,
          h("span", "sfn-maprun-done", doneText(run.items)),
          h("span", "sfn-muted", `${run.children} child execution${run.children === 1 ? "" : "s"}`),
        );
        const parts: Array<HTMLElement> = [head, bar(run, palette), counts(run, palette)];
        if (run.failures.length) {
          const more = run.more_failures ? ` (latest ${run.failures.length}; ${run.more_failures} more)` : "";
          const body = h("tbody", "", ...run.failures.map((f) => failureRow(run, f)));
          parts.push(
            h("div", "sfn-muted", `Failures${more} — click one for its child execution`),
            h(
              "div",
              "sfn-table-scroll sfn-maprun-failures",
              h("table", "sfn-events", h("thead", "", h("tr", "", h("th", "", "item"), h("th", "", "error"),
                h("th", "", "cause"))), body),
            ),
          );
        }
        if (!run.remote && run.children) {
          const index = h("input", "sfn-maprun-index");
          index.type = "number";
          index.min = "0";
          index.placeholder = "item";
          const show = h("button", "", "Show child");
          show.addEventListener("click", () => {
            const value = Number.parseInt(index.value, 10);
            if (Number.isFinite(value)) ask(run, value, null);
          });
          parts.push(h("div", "sfn-toolbar", index, show));
        }
        const box = h("div", "sfn-maprun", ...parts);
        box.dataset.status = run.status;
        box.dataset.arn = run.arn;
        return box;
      }),
    );
  };

  const field = (label: string, value: string | number | null | undefined): HTMLElement | null =>
    value === null || value === undefined || value === "" ? null : h("div", "", h("span", "sfn-muted", `${label}: `), String(value));

  const showChild = (reply: ChildReply): void => {
    if (reply.problem) {
      details.replaceChildren(h("div", "sfn-empty", `No such child execution (${reply.problem}).`));
      return;
    }
    const close = h("button", "sfn-close", "×");
    close.title = "close";
    close.addEventListener("click", () => details.replaceChildren());
    const title = h(
      "div",
      "sfn-details-title",
      h("strong", "", reply.index >= 0 ? `Child execution · item ${reply.index}` : "Child execution"),
      h("span", `sfn-badge sfn-status-${reply.status}`, statusLabel(reply.status)),
      close,
    );
    const palette = model.get("palette") ?? {};
    const colours = palette[reply.status];
    const badge = title.children[1] as HTMLElement;
    if (colours) {
      badge.style.background = colours[0];
      badge.style.borderColor = colours[1];
    }
    const name = h("code", "sfn-maprun-arn", reply.name ?? "");
    const open = reply.open ? h("pre", "sfn-pre sfn-maprun-open", reply.open) : null;
    const parts: Array<HTMLElement | null> = [
      title,
      name,
      field("started", reply.start),
      field("ended", reply.stop),
      field("items", reply.items),
      reply.error ? h("div", "sfn-error", reply.error) : null,
      reply.cause ? foldable("cause", reply.cause, true) : null,
      reply.output ? foldable("output", reply.output) : null,
      reply.opened ? h("div", "sfn-muted sfn-maprun-opened", "Its own execution view is open below.") : null,
      open ? h("div", "sfn-muted", "open it:") : null,
      open,
    ];
    details.replaceChildren(...parts.filter((part): part is HTMLElement => part !== null));
  };

  const onMessage = (message: unknown): void => {
    const reply = message as ChildReply;
    if (reply && reply.type === "child") showChild(reply);
  };

  model.on("change:runs", draw);
  model.on("change:palette", draw);
  model.on("msg:custom", onMessage);
  draw();
  return () => {
    model.off("change:runs", draw);
    model.off("change:palette", draw);
    model.off("msg:custom", onMessage);
  };
}
