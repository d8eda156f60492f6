// EventTable: pages of history events fetched from Python, filtered by type, by state and by a
// search text; rows expand to their details JSON; "follow" keeps the newest matching events in
// view while the execution runs (Python finds the last page of the filtered list).

import type { AnyModel } from "@anywidget/types";
import { h } from "./dom";
import { inspector } from "./inspector";
import { measure } from "./perf";
import type { EventRow, EventsTraits, FromPython, PageRequest } from "./protocol";

const PAGE = 50;
const TYPING = 250; // ms of quiet in the search box before asking

interface Drawn {
  row: EventRow;
  tr: HTMLTableRowElement;
  more: HTMLTableRowElement | null;
}

/** Whether a row drawn earlier can stay as it is (same event, same details as sent). */
export function sameRow(a: EventRow, b: EventRow): boolean {
  return a.id === b.id && a.details === b.details && a.truncated === b.truncated && a.log === b.log
    && a.summary === b.summary;
}

export function renderTable(model: AnyModel<EventsTraits>, el: HTMLElement): () => void {
  const filter = h("select", "sfn-filter");
  filter.title = "Event type";
  const stateFilter = h("select", "sfn-filter sfn-state-filter");
  stateFilter.title = "Events of one state";
  const search = h("input", "sfn-search");
  search.type = "search";
  search.placeholder = "Search events…";
  const follow = h("input", "");
  follow.type = "checkbox";
  follow.checked = true;
  const previous = h("button", "", "‹");
  const next = h("button", "", "›");
  const position = h("span", "sfn-muted sfn-position");
  const body = h("tbody", "");
  const table = h(
    "table",
    "sfn-events",
    h("thead", "", h("tr", "", h("th", "", "id"), h("th", "", "time"), h("th", "", "type"),
      h("th", "", "detail"))),
    body,
  );
  const toolbar = h("div", "sfn-toolbar", filter, stateFilter, search,
    h("label", "", follow, " follow"), previous, next, position);
  const scroll = h("div", "sfn-table-scroll", table);
  // A click on an event inspects the state visit it belongs to (inspector.ts).
  const inspect = inspector(model);
  el.append(h("div", "sfn-table-widget", toolbar, scroll, inspect.el));

  let offset = 0;
  let total = 0;
  let request = 0;
  const open = new Set<number>();
  const full = new Map<number, string>(); // event id -> details sent whole on request
  const fullRequests = new Map<number, number>(); // request -> event id
  let drawn = new Map<number, Drawn>();
  let typing = 0;
  let firstRows = true;

  let waiting = false; // an ask not answered yet (the kernel may be busy running a cell)
  const ask = (): void => {
    waiting = true;
    const message: PageRequest = {
      type: "page", request: ++request, offset, limit: PAGE,
      types: filter.value ? [filter.value] : null, state: stateFilter.value || null,
      text: search.value, follow: follow.checked, full: false,
    };
    model.send(message);
  };

  const askFull = (id: number): void => {
    fullRequests.set(++request, id);
    const message: PageRequest = {
      type: "page", request, offset: id - 1, limit: 1, types: null, state: null, text: "",
      follow: false, full: true,
    };
    model.send(message);
  };

  const options = (select: HTMLSelectElement, all: string, entries: [string, string][]): void => {
    const current = select.value;
    const first = h("option", "", all);
    first.value = "";
    const list = [first];
    for (const [value, label] of entries) {
      const option = h("option", "", label);
      option.value = value;
      list.push(option);
    }
    select.replaceChildren(...list);
    select.value = entries.some(([value]) => value === current) ? current : "";
  };

  let typesDrawn = "";
  const fillFilter = (): void => {
    const counts = model.get("type_counts") ?? {};
    const key = JSON.stringify([model.get("total"), counts]);
    if (key === typesDrawn) return;
    typesDrawn = key;
    options(filter, `All types (${model.get("total")})`,
      Object.entries(counts).map(([type, count]) => [type, `${type} (${count})`]));
  };

  let statesDrawn = "";
  const fillStates = (): void => {
    const states = model.get("states") ?? [];
    const key = JSON.stringify(states);
    if (key === statesDrawn) return;
    statesDrawn = key;
    options(stateFilter, "All states", states.map((name) => [name, name]));
  };

  const filtering = (): boolean => Boolean(filter.value || stateFilter.value || search.value.trim());
  /** Following the whole list, unfiltered: the pushed events have what the last page shows. */
  const plain = (): boolean => follow.checked && !filtering();

  // The newest events, pushed by Python with every update (the `newest` trait): following an
  // unfiltered list needs no request, so the table keeps up even while the kernel is busy.
  const tail = new Map<number, EventRow>();
  const onNewest = (): void => {
    let newest = 0;
    for (const row of model.get("newest") ?? []) {
      tail.set(row.id, row);
      newest = Math.max(newest, row.id);
    }
    for (const id of tail.keys()) if (id <= newest - 2 * PAGE) tail.delete(id);
  };

  const showTail = (): boolean => {
    const count = model.get("total") ?? 0;
    if (!count) return false;
    const from = Math.floor((count - 1) / PAGE) * PAGE;
    const rows: EventRow[] = [];
    for (let id = from + 1; id <= count; id++) {
      const row = tail.get(id);
      if (!row) return false;
      rows.push(row);
    }
    present(rows, from, count);
    return true;
  };

  const onTotal = (): void => {
    onNewest(); // the same update brings the total and the events it counts
    fillFilter();
    if (plain()) {
      // Ask only when the pushed events do not cover the last page (a view opened late) and no
      // ask is already waiting for the kernel.
      if (!showTail() && !waiting) ask();
      return;
    }
    // Following a filtered list: Python answers with its last page. Otherwise only a page that
    // is not full yet can change.
    if (follow.checked || offset + PAGE > total) ask();
  };

  const details = (row: EventRow): HTMLTableRowElement | null => {
    if (!row.details) return null;
    const text = full.get(row.id) ?? row.details;
    const pre = h("pre", "sfn-pre sfn-event-json", text);
    const cell = h("td", "", pre);
    if (row.truncated && !full.has(row.id)) {
      const all = h("button", "sfn-show-all", "show all");
      all.title = "The details are longer than a page shows: fetch them whole";
      all.addEventListener("click", (event) => {
        event.stopPropagation();
        all.disabled = true;
        askFull(row.id);
      });
      cell.append(h("div", "sfn-muted", "… cut here ", all));
    }
    // A Lambda invocation's log (LogType Tail), decoded from its LogResult.
    if (row.log) cell.append(h("div", "sfn-muted", "log"), h("pre", "sfn-pre sfn-log", row.log));
    cell.colSpan = 3;
    const more = h("tr", "sfn-event-details", h("td", "", ""), cell);
    more.hidden = !open.has(row.id);
    return more;
  };

  const drawRow = (row: EventRow): Drawn => {
    const tr = h("tr", "sfn-event", h("td", "", String(row.id)), h("td", "", row.time),
      h("td", "", row.type), h("td", "", row.summary));
    tr.dataset.id = String(row.id);
    const more = details(row);
    if (more) {
      tr.classList.add("sfn-expandable");
      tr.addEventListener("click", () => {
        const found = drawn.get(row.id)?.more;
        if (!found) return;
        if (found.hidden) inspect.open({ event: row.id });
        found.hidden = !found.hidden;
        tr.classList.toggle("sfn-open", !found.hidden);
        if (found.hidden) open.delete(row.id);
        else open.add(row.id);
      });
      tr.classList.toggle("sfn-open", !more.hidden);
    }
    return { row, tr, more };
  };

  const show = (rows: EventRow[]): void => {
    // Rows already on screen are kept as they are: while a run is followed, each update moves
    // the page by a few rows, and rebuilding all 50 (and their JSON) would be wasted work.
    const kept = new Map<number, Drawn>();
    const nodes: Node[] = [];
    for (const row of rows) {
      const old = drawn.get(row.id);
      const item = old && sameRow(old.row, row) ? old : drawRow(row);
      kept.set(row.id, item);
      nodes.push(item.tr);
      if (item.more) nodes.push(item.more);
    }
    drawn = kept;
    const current = Array.from(body.childNodes);
    if (current.length !== nodes.length || current.some((node, i) => node !== nodes[i])) {
      body.replaceChildren(...nodes);
    }
  };

  const onMessage = (message: FromPython): void => {
    if (message.type !== "page") return;
    const wanted = fullRequests.get(message.request);
    if (wanted !== undefined) {
      fullRequests.delete(message.request);
      const row = message.rows.find((r) => r.id === wanted);
      const item = drawn.get(wanted);
      if (!row || !item) return;
      full.set(wanted, row.details);
      const more = details(item.row);
      if (item.more && more) item.more.replaceWith(more);
      item.more = more;
      return;
    }
    if (message.request !== request) return;
    waiting = false;
    present(message.rows, message.offset, message.total);
  };

  const present = (rows: EventRow[], from: number, count: number): void => {
    const began = performance.now();
    total = count;
    offset = from;
    show(rows);
    // Following: the newest event (the last row of the last page) is what must be in sight.
    if (follow.checked) scroll.scrollTop = scroll.scrollHeight;
    const last = Math.min(offset + rows.length, total);
    const filtered = filtering();
    position.textContent = total
      ? `${offset + 1}–${last} of ${total}${filtered ? " matching" : ""}`
      : filtered ? "no matching events" : "no events";
    previous.disabled = offset === 0;
    next.disabled = last >= total;
    measure("sfn-table-draw", began);
    if (firstRows && rows.length) {
      firstRows = false;
      performance.mark("sfn-table-first-rows");
    }
  };

  const refilter = (): void => {
    clearTimeout(typing); // a search typed just before is asked for here, with the rest
    if (!follow.checked) offset = 0;
    ask();
  };
  filter.addEventListener("change", refilter);
  stateFilter.addEventListener("change", refilter);
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = window.setTimeout(refilter, TYPING);
  });
  follow.addEventListener("change", onTotal);
  previous.addEventListener("click", () => {
    clearTimeout(typing); // the page asked for has the search text as typed so far
    follow.checked = false;
    offset = Math.max(0, offset - PAGE);
    ask();
  });
  next.addEventListener("click", () => {
    clearTimeout(typing);
    follow.checked = false;
    offset += PAGE;
    ask();
  });
  // The first rows may be drawn before the view is in the page (no height to scroll yet): once
  // the box gets its size, a following table scrolls to its newest row.
  const sized = new ResizeObserver(() => {
    if (follow.checked) scroll.scrollTop = scroll.scrollHeight;
  });
  sized.observe(scroll);
  model.on("change:total", onTotal);
  model.on("change:newest", onNewest);
  model.on("change:type_counts", fillFilter);
  model.on("change:states", fillStates);
  model.on("msg:custom", onMessage);
  fillStates();
  onTotal();
  return () => {
    clearTimeout(typing);
    sized.disconnect();
    model.off("change:total", onTotal);
    model.off("change:newest", onNewest);
    model.off("change:type_counts", fillFilter);
    model.off("change:states", fillStates);
    model.off("msg:custom", onMessage);
    inspect.dispose();
  };
}
