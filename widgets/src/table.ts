// EventTable: pages of history events fetched from Python, a type filter, expandable JSON, and a
// "follow" mode that keeps the newest events in view while the execution runs.

import type { AnyModel } from "@anywidget/types";
import { h } from "./dom";
import { inspector } from "./inspector";
import type { EventRow, EventsTraits, FromPython, PageRequest } from "./protocol";

const PAGE = 50;

export function renderTable(model: AnyModel<EventsTraits>, el: HTMLElement): () => void {
  const filter = h("select", "sfn-filter");
  const follow = h("input", "");
  follow.type = "checkbox";
  follow.checked = true;
  const previous = h("button", "", "‹");
  const next = h("button", "", "›");
  const position = h("span", "sfn-muted");
  const body = h("tbody", "");
  const table = h(
    "table",
    "sfn-events",
    h("thead", "", h("tr", "", h("th", "", "id"), h("th", "", "time"), h("th", "", "type"),
      h("th", "", "detail"))),
    body,
  );
  const toolbar = h("div", "sfn-toolbar", filter, h("label", "", follow, " follow"), previous, next,
    position);
  const scroll = h("div", "sfn-table-scroll", table);
  // A click on an event inspects the state visit it belongs to (inspector.ts).
  const inspect = inspector(model);
  el.append(h("div", "sfn-table-widget", toolbar, scroll, inspect.el));

  let offset = 0;
  let total = 0;
  let request = 0;
  const open = new Set<number>();

  const types = (): string[] | null => (filter.value ? [filter.value] : null);

  const ask = (): void => {
    const message: PageRequest = { type: "page", request: ++request, offset, limit: PAGE, types: types() };
    model.send(message);
  };

  const fillFilter = (): void => {
    const counts = model.get("type_counts") ?? {};
    const current = filter.value;
    const all = h("option", "", `All types (${model.get("total")})`);
    all.value = "";
    const options = [all];
    for (const [type, count] of Object.entries(counts)) {
      const option = h("option", "", `${type} (${count})`);
      option.value = type;
      options.push(option);
    }
    filter.replaceChildren(...options);
    filter.value = current && current in counts ? current : "";
  };

  const onTotal = (): void => {
    fillFilter();
    const matching = filter.value ? (model.get("type_counts")[filter.value] ?? 0) : model.get("total");
    if (follow.checked) offset = Math.max(0, Math.floor(Math.max(matching - 1, 0) / PAGE) * PAGE);
    if (follow.checked || offset + PAGE > total) ask();
  };

  const show = (rows: EventRow[]): void => {
    body.replaceChildren();
    for (const row of rows) {
      const tr = h("tr", "sfn-event", h("td", "", String(row.id)), h("td", "", row.time),
        h("td", "", row.type), h("td", "", row.summary));
      body.append(tr);
      if (!row.details) continue;
      tr.classList.add("sfn-expandable");
      const more = h("tr", "sfn-event-details", h("td", "", ""));
      const cell = h("td", "", h("pre", "sfn-pre", row.details + (row.truncated ? "\n…" : "")));
      // A Lambda invocation's log (LogType Tail), decoded from its LogResult.
      if (row.log) cell.append(h("div", "sfn-muted", "log"), h("pre", "sfn-pre sfn-log", row.log));
      cell.colSpan = 3;
      more.append(cell);
      more.hidden = !open.has(row.id);
      tr.addEventListener("click", () => {
        if (more.hidden) inspect.open({ event: row.id });
        more.hidden = !more.hidden;
        if (more.hidden) open.delete(row.id);
        else open.add(row.id);
      });
      body.append(more);
    }
  };

  const onMessage = (message: FromPython): void => {
    if (message.type !== "page" || message.request !== request) return;
    total = message.total;
    offset = message.offset;
    show(message.rows);
    // Following: the newest event (the last row of the last page) is what must be in sight.
    if (follow.checked) scroll.scrollTop = scroll.scrollHeight;
    const last = Math.min(offset + message.rows.length, total);
    position.textContent = total ? `${offset + 1}–${last} of ${total}` : "no events";
    previous.disabled = offset === 0;
    next.disabled = last >= total;
  };

  filter.addEventListener("change", () => {
    offset = 0;
    follow.checked = false;
    ask();
  });
  follow.addEventListener("change", onTotal);
  previous.addEventListener("click", () => {
    follow.checked = false;
    offset = Math.max(0, offset - PAGE);
    ask();
  });
  next.addEventListener("click", () => {
    follow.checked = false;
    offset += PAGE;
    ask();
  });
  model.on("change:total", onTotal);
  model.on("change:type_counts", fillFilter);
  model.on("msg:custom", onMessage);
  onTotal();
  return () => {
    model.off("change:total", onTotal);
    model.off("change:type_counts", fillFilter);
    model.off("msg:custom", onMessage);
    inspect.dispose();
  };
}
