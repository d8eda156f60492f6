// sfn-notebook widgets, built by widgets/build.mjs from widgets/src. Do not edit.
// source-sha256: 8d14fc43b7ab0ded633473d30190e671a8e322c2caa161704140b27773691978

// src/dom.ts
var SVG_NS = "http://www.w3.org/2000/svg";
function h(tag, className = "", ...children) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  for (const child of children) {
    if (child === null || child === void 0 || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}
function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  if (text !== void 0) el.textContent = text;
  return el;
}
function foldable(summary, text, open = false) {
  const details2 = h("details", "sfn-fold", h("summary", "", summary), h("pre", "sfn-pre", text));
  details2.open = open;
  return details2;
}

// src/format.ts
function formatMs(ms) {
  if (ms < 1e3) return `${round(ms, 1)} ms`;
  let seconds = ms / 1e3;
  if (seconds < 60) return `${round(seconds, 2)} s`;
  seconds = Math.round(seconds);
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes < 60) return rest ? `${minutes}m ${rest}s` : `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  const mins = minutes % 60;
  if (hours < 24) return mins ? `${hours}h ${mins}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  const hrs = hours % 24;
  return hrs ? `${days}d ${hrs}h` : `${days}d`;
}
function round(value, digits) {
  const scale = 10 ** digits;
  return String(Math.round(value * scale) / scale);
}
var SECOND = 1e3;
var MINUTE = 60 * SECOND;
var HOUR = 60 * MINUTE;
var DAY = 24 * HOUR;
var TIME_STEPS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY
];
function niceStep(span, ticks2 = 6) {
  const raw = Math.max(span, 1) / ticks2;
  if (raw > 500) {
    for (const step of TIME_STEPS) if (step >= raw) return step;
    const days = raw / DAY;
    const power2 = 10 ** Math.floor(Math.log10(days));
    for (const m of [1, 2, 5, 10]) if (m * power2 >= days) return m * power2 * DAY;
  }
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}
var LABELS = {
  NOT_REACHED: "not reached",
  NOT_STARTED: "not started",
  RUNNING: "in progress",
  SUCCEEDED: "succeeded",
  FAILED: "failed",
  CAUGHT_ERROR: "caught error",
  CANCELLED: "cancelled",
  ABORTED: "aborted",
  TIMED_OUT: "timed out"
};
function statusLabel(status) {
  return LABELS[status] ?? status.toLowerCase();
}
function shorten(text, limit) {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
function progress(header) {
  const { status, done, total } = header;
  if (status === "RUNNING" || status === "NOT_STARTED" || status === "PENDING_REDRIVE") {
    return `${done} / ${total} states done`;
  }
  const run = `${done} state${done === 1 ? "" : "s"} run`;
  return total > done ? `${run}, ${total - done} not taken` : run;
}

// ../labextension/src/svgsafe.ts
var SVG_NS2 = "http://www.w3.org/2000/svg";
var XLINK_NS = "http://www.w3.org/1999/xlink";
var XML_NS = "http://www.w3.org/XML/1998/namespace";
var XMLNS_NS = "http://www.w3.org/2000/xmlns/";
var SVG_ELEMENTS = /* @__PURE__ */ new Set([
  "svg",
  "g",
  "title",
  "desc",
  "a",
  "path",
  "polygon",
  "polyline",
  "ellipse",
  "circle",
  "rect",
  "line",
  "text",
  "tspan",
  "defs",
  "linearGradient",
  "radialGradient",
  "stop",
  "clipPath"
]);
var SVG_ATTRIBUTES = /* @__PURE__ */ new Set([
  "id",
  "class",
  "width",
  "height",
  "viewBox",
  "preserveAspectRatio",
  "transform",
  "x",
  "y",
  "x1",
  "y1",
  "x2",
  "y2",
  "cx",
  "cy",
  "r",
  "rx",
  "ry",
  "fx",
  "fy",
  "d",
  "points",
  "fill",
  "fill-opacity",
  "fill-rule",
  "stroke",
  "stroke-width",
  "stroke-dasharray",
  "stroke-opacity",
  "stroke-linecap",
  "stroke-linejoin",
  "opacity",
  "clip-path",
  "text-anchor",
  "font-family",
  "font-size",
  "font-weight",
  "font-style",
  "text-decoration",
  "baseline-shift",
  "offset",
  "stop-color",
  "stop-opacity",
  "gradientUnits",
  "gradientTransform",
  "style",
  "href",
  "xlink:href",
  "xlink:title",
  "xml:space"
]);
var LOCAL_REF = /^#[^\s()'"<>\\]+$/;
var URL_CALL = /url\s*\(/i;
var LOCAL_URL = /^url\(#[^\s()'"<>\\]+\)$/i;
var SAFE_STYLE = /^[A-Za-z0-9\s:;#.,%'"_-]*$/;
var TEXT_ATTRIBUTES = /* @__PURE__ */ new Set(["id", "class", "xlink:title"]);
function qualifiedName(attr) {
  switch (attr.namespaceURI) {
    case null:
      return attr.localName;
    case XLINK_NS:
      return `xlink:${attr.localName}`;
    case XML_NS:
      return `xml:${attr.localName}`;
    default:
      return null;
  }
}
function safeAttribute(name, value) {
  if (!SVG_ATTRIBUTES.has(name)) {
    return false;
  }
  if (TEXT_ATTRIBUTES.has(name)) {
    return true;
  }
  const trimmed = value.trim();
  if (name === "href" || name === "xlink:href") {
    return LOCAL_REF.test(trimmed);
  }
  if (name === "xml:space") {
    return trimmed === "preserve" || trimmed === "default";
  }
  if (name === "style") {
    return SAFE_STYLE.test(value);
  }
  if (value.indexOf("\\") >= 0) {
    return false;
  }
  return !URL_CALL.test(value) || LOCAL_URL.test(trimmed);
}
function sanitizeSvg(root) {
  const attributes = Array.from(root.attributes);
  for (const attr of attributes) {
    if (attr.namespaceURI === XMLNS_NS) {
      if (attr.value !== SVG_NS2 && attr.value !== XLINK_NS) {
        root.removeAttributeNode(attr);
      }
      continue;
    }
    const name = qualifiedName(attr);
    if (name === null || !safeAttribute(name, attr.value)) {
      root.removeAttributeNode(attr);
    }
  }
  for (const child of Array.from(root.childNodes)) {
    if (child.nodeType === 1) {
      const el = child;
      if (el.namespaceURI === SVG_NS2 && SVG_ELEMENTS.has(el.localName)) {
        sanitizeSvg(el);
      } else {
        el.remove();
      }
    } else if (child.nodeType !== 3 && child.nodeType !== 4) {
      child.parentNode?.removeChild(child);
    }
  }
}
function parseSafeSvg(text, doc) {
  const start = text.search(/<svg[\s>]/);
  if (start < 0) {
    return null;
  }
  const parsed = new DOMParser().parseFromString(text.slice(start), "image/svg+xml");
  const root = parsed.documentElement;
  if (!root || root.namespaceURI !== SVG_NS2 || root.localName !== "svg" || parsed.getElementsByTagName("parsererror").length > 0) {
    return null;
  }
  sanitizeSvg(root);
  return doc.importNode(root, true);
}

// src/legend.ts
var STATUSES = ["NOT_REACHED", "RUNNING", "SUCCEEDED", "FAILED", "CAUGHT_ERROR", "CANCELLED"];
var NOTES = {
  NOT_REACHED: "not reached (not taken, once the run ended)",
  CAUGHT_ERROR: "caught error (a Catcher took over)"
};
function legend(palette, lines) {
  const items = STATUSES.map((status) => {
    const [fill, border] = palette[status] ?? ["#ffffff", "#879196"];
    const swatch = h("span", "sfn-swatch");
    swatch.style.background = fill;
    swatch.style.borderColor = border;
    return h("span", `sfn-legend-item sfn-legend-${status}`, swatch, NOTES[status] ?? statusLabel(status));
  });
  for (const [kind, meaning] of lines) {
    items.push(h("span", "sfn-legend-item", h("span", `sfn-line ${kind}`), meaning));
  }
  return h("div", "sfn-legend", ...items);
}

// src/graph.ts
function renderGraph(model, el) {
  const canvas = h("div", "sfn-graph-canvas");
  const panel = h("div", "sfn-graph-details");
  panel.hidden = true;
  const root = h("div", "sfn-graph-widget", canvas, panel);
  const key = h("div", "");
  el.append(root, key);
  const drawKey = () => {
    key.replaceChildren(legend(model.get("palette") ?? {}, [
      ["sfn-line-catch", "Catch (error names on the edge)"],
      ["sfn-line-container", "Map iterations / Parallel branches"]
    ]));
  };
  let drawn = /* @__PURE__ */ new Map();
  let selected = null;
  const draw = () => {
    canvas.replaceChildren();
    drawn = /* @__PURE__ */ new Map();
    const svg = parseSafeSvg(model.get("svg"), document);
    if (!svg) {
      canvas.append(h("div", "sfn-empty", "No definition to draw for this execution."));
      return;
    }
    svg.classList.add("sfn-graph-svg");
    svg.querySelector("g.graph polygon")?.setAttribute("fill", "none");
    for (const group of Array.from(svg.querySelectorAll("g.node"))) {
      if (!group.classList.contains("sfn-state")) continue;
      const texts = group.querySelectorAll("text");
      const subtitle = texts.length > 1 ? texts[texts.length - 1] : null;
      drawn.set(group.id, {
        group,
        shapes: Array.from(group.querySelectorAll("path, polygon, ellipse, polyline")),
        subtitle,
        original: subtitle?.textContent ?? null
      });
    }
    canvas.append(svg);
    paint();
  };
  const paint = () => {
    const nodes = model.get("nodes") ?? {};
    const palette = model.get("palette") ?? {};
    for (const [id, node] of drawn) {
      const state = nodes[id] ?? { status: "NOT_REACHED", counts: null, subtitle: null };
      const [fill, border] = palette[state.status] ?? palette.NOT_REACHED ?? ["#ffffff", "#879196"];
      for (const shape of node.shapes) {
        if (shape.tagName !== "polyline") shape.setAttribute("fill", fill);
        shape.setAttribute("stroke", border);
      }
      node.group.dataset.status = state.status;
      node.group.classList.toggle("sfn-selected", id === selected);
      if (node.subtitle) node.subtitle.textContent = state.subtitle ?? node.original;
    }
    root.dataset.status = model.get("status");
  };
  const onClick = (event) => {
    const group = event.target?.closest?.("g.node.sfn-state");
    if (!group || !drawn.has(group.id)) return;
    selected = group.id;
    paint();
    panel.hidden = false;
    panel.replaceChildren(h("div", "sfn-muted", "Loading…"));
    const request = { type: "select", node: group.id };
    model.send(request);
  };
  const onMessage = (message) => {
    if (message.type !== "details" || message.node !== selected) return;
    panel.replaceChildren(...details(message, () => {
      selected = null;
      panel.hidden = true;
      paint();
    }));
  };
  canvas.addEventListener("click", onClick);
  model.on("change:svg", draw);
  model.on("change:nodes", paint);
  model.on("change:status", paint);
  model.on("msg:custom", onMessage);
  model.on("change:palette", drawKey);
  draw();
  drawKey();
  return () => {
    model.off("change:palette", drawKey);
    canvas.removeEventListener("click", onClick);
    model.off("change:svg", draw);
    model.off("change:nodes", paint);
    model.off("change:status", paint);
    model.off("msg:custom", onMessage);
  };
}
function details(reply, close) {
  const closeButton = h("button", "sfn-close", "×");
  closeButton.title = "Close";
  closeButton.addEventListener("click", close);
  const out = [
    h("div", "sfn-details-title", h("strong", "", reply.name), ` ${reply.state_type}`, closeButton)
  ];
  if (reply.definition) out.push(foldable("Definition", reply.definition));
  if (!reply.visits.length) out.push(h("div", "sfn-muted", "Not reached."));
  for (const visit of reply.visits) {
    const where = visit.path.map(([name, index]) => `${name}[${index}]`).join(" / ");
    const timing = visit.entered === null ? "" : visit.exited === null ? `entered at +${formatMs(visit.entered)}` : `+${formatMs(visit.entered)} for ${formatMs(visit.exited - visit.entered)}`;
    const block = h(
      "div",
      "sfn-visit",
      h(
        "div",
        "",
        h("span", `sfn-badge sfn-status-${visit.status}`, statusLabel(visit.status)),
        ` ${timing}`,
        where ? ` · ${where}` : ""
      )
    );
    if (visit.attempts.length) {
      const list = h("ol", "sfn-attempts");
      visit.attempts.forEach(([start, end, status, error]) => {
        const took = start !== null && end !== null ? ` in ${formatMs(end - start)}` : "";
        list.append(h("li", "", `${statusLabel(status)}${took}${error ? ` · ${error}` : ""}`));
      });
      block.append(h("div", "sfn-muted", "Attempts"), list);
    }
    if (visit.error) block.append(h("div", "sfn-error", `Error: ${visit.error}`));
    if (visit.cause) block.append(foldable("Cause", visit.cause));
    if (visit.input !== null) block.append(foldable("Input", visit.input));
    if (visit.output !== null) block.append(foldable("Output", visit.output));
    out.push(block);
  }
  if (reply.more) out.push(h("div", "sfn-muted", `… and ${reply.more} earlier visits`));
  return out;
}

// src/scope.ts
var WHOLE = "";
function choiceLabel(choice) {
  const noun = choice.type === "Parallel" ? "branch" : "iteration";
  const many = choice.type === "Parallel" ? "branches" : "iterations";
  return `${choice.state} (${choice.type}, ${choice.count} ${choice.count === 1 ? noun : many})`;
}
function nextFailed(failed, index) {
  if (!failed.length) return null;
  return failed.find((i) => index === null || i > index) ?? failed[0];
}
function clampIndex(index, count) {
  if (!Number.isFinite(index) || count <= 0) return 0;
  return Math.min(Math.max(0, Math.trunc(index)), count - 1);
}
function renderScope(model, el) {
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
  const bar = h(
    "div",
    "sfn-toolbar sfn-scope",
    h("span", "sfn-muted", "Show"),
    container,
    previous,
    index,
    next,
    of,
    failed
  );
  bar.hidden = true;
  el.append(bar);
  const choices = () => model.get("scopes") ?? [];
  const current = () => {
    const scope = model.get("scope");
    return scope && "state" in scope ? scope : null;
  };
  const chosen = () => choices().find((c) => c.state === container.value);
  const set = (scope) => {
    model.set("scope", scope ?? {});
    model.save_changes();
  };
  let drawn = "";
  const sync = () => {
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
    const failures = picked?.failed ?? choices().find((c) => c.failed.length)?.failed ?? [];
    failed.hidden = failures.length === 0;
    failed.textContent = `next failed (${failures.length}${failures.length >= 1e3 ? "+" : ""}) ›`;
    if (!picked) return;
    index.max = String(Math.max(0, picked.count - 1));
    if (document.activeElement !== index) index.value = String(scope?.index ?? 0);
    previous.disabled = (scope?.index ?? 0) <= 0;
    next.disabled = (scope?.index ?? 0) >= picked.count - 1;
    of.textContent = `${words} of 0–${Math.max(0, picked.count - 1)}`;
  };
  const fill = (list) => {
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
  const go = (value) => {
    const picked = chosen();
    if (!picked) return;
    set({ state: picked.state, index: clampIndex(value, picked.count) });
  };
  container.addEventListener("change", () => {
    if (container.value === WHOLE) set(null);
    else go(0);
  });
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

// src/perf.ts
var KEEP = 5e3;
var counts = /* @__PURE__ */ new Map();
function measure(name, began) {
  const count = (counts.get(name) ?? 0) + 1;
  if (count > KEEP) performance.clearMeasures(name);
  counts.set(name, count > KEEP ? 1 : count);
  performance.measure(name, { start: began, end: performance.now() });
}

// src/table.ts
var PAGE = 50;
var TYPING = 250;
function sameRow(a, b) {
  return a.id === b.id && a.details === b.details && a.truncated === b.truncated && a.log === b.log && a.summary === b.summary;
}
function renderTable(model, el) {
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
    h("thead", "", h(
      "tr",
      "",
      h("th", "", "id"),
      h("th", "", "time"),
      h("th", "", "type"),
      h("th", "", "detail")
    )),
    body
  );
  const toolbar = h(
    "div",
    "sfn-toolbar",
    filter,
    stateFilter,
    search,
    h("label", "", follow, " follow"),
    previous,
    next,
    position
  );
  const scroll = h("div", "sfn-table-scroll", table);
  el.append(h("div", "sfn-table-widget", toolbar, scroll));
  let offset = 0;
  let total = 0;
  let request = 0;
  const open = /* @__PURE__ */ new Set();
  const full = /* @__PURE__ */ new Map();
  const fullRequests = /* @__PURE__ */ new Map();
  let drawn = /* @__PURE__ */ new Map();
  let typing = 0;
  let firstRows = true;
  let waiting = false;
  const ask = () => {
    waiting = true;
    const message = {
      type: "page",
      request: ++request,
      offset,
      limit: PAGE,
      types: filter.value ? [filter.value] : null,
      state: stateFilter.value || null,
      text: search.value,
      follow: follow.checked,
      full: false
    };
    model.send(message);
  };
  const askFull = (id) => {
    fullRequests.set(++request, id);
    const message = {
      type: "page",
      request,
      offset: id - 1,
      limit: 1,
      types: null,
      state: null,
      text: "",
      follow: false,
      full: true
    };
    model.send(message);
  };
  const options = (select, all, entries) => {
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
  const fillFilter = () => {
    const counts2 = model.get("type_counts") ?? {};
    const key = JSON.stringify([model.get("total"), counts2]);
    if (key === typesDrawn) return;
    typesDrawn = key;
    options(
      filter,
      `All types (${model.get("total")})`,
      Object.entries(counts2).map(([type, count]) => [type, `${type} (${count})`])
    );
  };
  let statesDrawn = "";
  const fillStates = () => {
    const states = model.get("states") ?? [];
    const key = JSON.stringify(states);
    if (key === statesDrawn) return;
    statesDrawn = key;
    options(stateFilter, "All states", states.map((name) => [name, name]));
  };
  const filtering = () => Boolean(filter.value || stateFilter.value || search.value.trim());
  const plain = () => follow.checked && !filtering();
  const tail = /* @__PURE__ */ new Map();
  const onNewest = () => {
    let newest = 0;
    for (const row of model.get("newest") ?? []) {
      tail.set(row.id, row);
      newest = Math.max(newest, row.id);
    }
    for (const id of tail.keys()) if (id <= newest - 2 * PAGE) tail.delete(id);
  };
  const showTail = () => {
    const count = model.get("total") ?? 0;
    if (!count) return false;
    const from = Math.floor((count - 1) / PAGE) * PAGE;
    const rows = [];
    for (let id = from + 1; id <= count; id++) {
      const row = tail.get(id);
      if (!row) return false;
      rows.push(row);
    }
    present(rows, from, count);
    return true;
  };
  const onTotal = () => {
    onNewest();
    fillFilter();
    if (plain()) {
      if (!showTail() && !waiting) ask();
      return;
    }
    if (follow.checked || offset + PAGE > total) ask();
  };
  const details2 = (row) => {
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
    if (row.log) cell.append(h("div", "sfn-muted", "log"), h("pre", "sfn-pre sfn-log", row.log));
    cell.colSpan = 3;
    const more = h("tr", "sfn-event-details", h("td", "", ""), cell);
    more.hidden = !open.has(row.id);
    return more;
  };
  const drawRow = (row) => {
    const tr = h(
      "tr",
      "sfn-event",
      h("td", "", String(row.id)),
      h("td", "", row.time),
      h("td", "", row.type),
      h("td", "", row.summary)
    );
    tr.dataset.id = String(row.id);
    const more = details2(row);
    if (more) {
      tr.classList.add("sfn-expandable");
      tr.addEventListener("click", () => {
        const found = drawn.get(row.id)?.more;
        if (!found) return;
        found.hidden = !found.hidden;
        tr.classList.toggle("sfn-open", !found.hidden);
        if (found.hidden) open.delete(row.id);
        else open.add(row.id);
      });
      tr.classList.toggle("sfn-open", !more.hidden);
    }
    return { row, tr, more };
  };
  const show = (rows) => {
    const kept = /* @__PURE__ */ new Map();
    const nodes = [];
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
  const onMessage = (message) => {
    if (message.type !== "page") return;
    const wanted = fullRequests.get(message.request);
    if (wanted !== void 0) {
      fullRequests.delete(message.request);
      const row = message.rows.find((r) => r.id === wanted);
      const item = drawn.get(wanted);
      if (!row || !item) return;
      full.set(wanted, row.details);
      const more = details2(item.row);
      if (item.more && more) item.more.replaceWith(more);
      item.more = more;
      return;
    }
    if (message.request !== request) return;
    waiting = false;
    present(message.rows, message.offset, message.total);
  };
  const present = (rows, from, count) => {
    const began = performance.now();
    total = count;
    offset = from;
    show(rows);
    if (follow.checked) scroll.scrollTop = scroll.scrollHeight;
    const last = Math.min(offset + rows.length, total);
    const filtered = filtering();
    position.textContent = total ? `${offset + 1}–${last} of ${total}${filtered ? " matching" : ""}` : filtered ? "no matching events" : "no events";
    previous.disabled = offset === 0;
    next.disabled = last >= total;
    measure("sfn-table-draw", began);
    if (firstRows && rows.length) {
      firstRows = false;
      performance.mark("sfn-table-first-rows");
    }
  };
  const refilter = () => {
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
    follow.checked = false;
    offset = Math.max(0, offset - PAGE);
    ask();
  });
  next.addEventListener("click", () => {
    follow.checked = false;
    offset += PAGE;
    ask();
  });
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
  };
}

// src/groups.ts
var GROUP_OVER = 50;
var SIZES = [10, 25, 50, 100, 250, 500, 1e3, 2500, 5e3, 1e4];
var MAX_GROUPS = 20;
var RANK = ["FAILED", "ABORTED", "CAUGHT_ERROR", "RUNNING", "CANCELLED", "SUCCEEDED"];
function groupSize(count) {
  return SIZES.find((size) => Math.ceil(count / size) <= MAX_GROUPS) ?? SIZES[SIZES.length - 1];
}
function groupStatus(rows) {
  let best = RANK.length;
  for (const row of rows) {
    const rank = RANK.indexOf(row.status);
    if (rank >= 0 && rank < best) best = rank;
  }
  return best < RANK.length ? RANK[best] : rows[0]?.status ?? "NOT_REACHED";
}
function groupIterations(parent, kids) {
  const groups = /* @__PURE__ */ new Map();
  if (kids.length <= GROUP_OVER || kids.some((kid) => kid.kind !== "iteration")) return groups;
  const size = groupSize(kids.length);
  const buckets = /* @__PURE__ */ new Map();
  for (const kid of kids) {
    const bucket = Math.floor(kid.order / size);
    const list = buckets.get(bucket);
    if (list) list.push(kid);
    else buckets.set(bucket, [kid]);
  }
  for (const [bucket, members] of buckets) {
    const first = bucket * size;
    let start = Infinity;
    let end = -Infinity;
    for (const member of members) {
      start = Math.min(start, member.start);
      end = end === null || member.end === null ? null : Math.max(end, member.end);
    }
    const failed = members.filter((m) => m.status === "FAILED").length;
    groups.set(
      {
        key: `g${parent.key}.${bucket}`,
        parent: parent.key,
        order: first,
        kind: "group",
        label: `#${first}–#${first + size - 1}`,
        type: "Iterations",
        start: Number.isFinite(start) ? start : 0,
        end: end === -Infinity ? null : end,
        status: groupStatus(members),
        attempts: [],
        error: failed ? `${failed} failed` : null,
        node: null
      },
      members
    );
  }
  return groups;
}

// src/rows.ts
var AUTO_COLLAPSE = 10;
var RowStore = class {
  constructor() {
    this.rows = /* @__PURE__ */ new Map();
    this.end = null;
    this.status = "";
    this.ticking = false;
    /** performance.now() when `end` was received, to advance it while ticking. */
    this.receivedAt = 0;
    /** Rows the user opened or closed; others follow AUTO_COLLAPSE. */
    this.toggled = /* @__PURE__ */ new Map();
    this.everything = false;
    // setAll: walk every row as if all were open
    /** The newest feed version applied, and each row's: messages can arrive out of order (a
     * reset asked for by `hello` is answered when the kernel is free, after newer patches). */
    this.version = -1;
    this.rowVersion = /* @__PURE__ */ new Map();
  }
  apply(update, now = 0) {
    const version = update.version ?? 0;
    const newest = version >= this.version;
    if (update.reset && newest) {
      this.rows.clear();
      this.rowVersion.clear();
    }
    for (const row of update.rows) {
      if ((this.rowVersion.get(row.key) ?? -1) > version) continue;
      this.rows.set(row.key, row);
      this.rowVersion.set(row.key, version);
    }
    if (!newest) return;
    this.version = version;
    this.end = update.end;
    this.status = update.status;
    this.ticking = update.ticking;
    this.receivedAt = now;
  }
  /** The current end of the time axis: `end`, advanced by wall time while ticking. */
  now(now = 0) {
    if (this.end === null || !this.ticking) return this.end;
    return this.end + Math.max(0, now - this.receivedAt);
  }
  toggle(key, children) {
    this.toggled.set(key, !this.isCollapsed(key, children));
  }
  isCollapsed(key, children) {
    if (this.everything) return false;
    return this.toggled.get(key) ?? (key.startsWith("g") || children > AUTO_COLLAPSE);
  }
  /** Rows in tree order, skipping those under a collapsed row (rows whose parent has not
   * arrived yet are shown at the top level). A big Map's iterations come in groups
   * (groups.ts), rows of their own that open and close the same way. */
  visible() {
    const children = /* @__PURE__ */ new Map();
    for (const row of this.rows.values()) {
      const parent = row.parent !== null && this.rows.has(row.parent) ? row.parent : null;
      const list = children.get(parent);
      if (list) list.push(row);
      else children.set(parent, [row]);
    }
    for (const list of children.values()) list.sort((a, b) => a.order - b.order);
    const out = [];
    const walk = (kids, depth) => {
      for (const row of kids) {
        const below = children.get(row.key) ?? [];
        const groups = groupIterations(row, below);
        const grouped = groups.size > 0;
        const count = grouped ? groups.size : below.length;
        const collapsed = count > 0 && this.isCollapsed(row.key, grouped ? below.length : count);
        out.push({ row, depth, children: grouped ? below.length : count, collapsed });
        if (collapsed) continue;
        if (!grouped) {
          walk(below, depth + 1);
          continue;
        }
        for (const [group, members] of groups) {
          const shut = this.isCollapsed(group.key, members.length);
          out.push({ row: group, depth: depth + 1, children: members.length, collapsed: shut });
          if (!shut) walk(members, depth + 2);
        }
      }
    };
    walk(children.get(null) ?? [], 0);
    return out;
  }
  /** Open (`open`) or close every row with children, groups included. */
  setAll(open) {
    this.everything = true;
    const all = this.visible();
    this.everything = false;
    for (const { row, children } of all) if (children) this.toggled.set(row.key, !open);
  }
  /** The latest time worth drawing: the execution's last event or the latest row end. */
  span(now = 0) {
    let last = this.now(now) ?? 0;
    for (const row of this.rows.values()) {
      last = Math.max(last, row.end ?? row.start);
      for (const [start, end] of row.attempts) last = Math.max(last, end ?? start ?? 0);
    }
    return Math.max(last, 1);
  }
};
function bars(row) {
  return row.attempts.length ? row.attempts : [[row.start, row.end, row.status, row.error]];
}
function backoffs(row) {
  const gaps = [];
  for (let i = 1; i < row.attempts.length; i++) {
    const previousEnd = row.attempts[i - 1][1];
    const start = row.attempts[i][0];
    if (previousEnd !== null && start !== null && start > previousEnd) gaps.push([previousEnd, start]);
  }
  return gaps;
}

// src/zoom.ts
var MIN_WINDOW = 1;
var TimeWindow = class _TimeWindow {
  constructor() {
    this.from = null;
    this.to = null;
  }
  get zoomed() {
    return this.from !== null && this.to !== null;
  }
  /** The drawn range for a run `span` ms long (the whole run, rounded up to a tick, when not
   * zoomed, as the static timeline draws it). */
  range(span) {
    if (this.from !== null && this.to !== null) return [this.from, this.to];
    const step = niceStep(span);
    return [0, Math.ceil(Math.max(span, 1) / step) * step];
  }
  /** Zoom by `factor` (> 1: in) keeping the time `at` where it is on screen. */
  zoom(factor, at, span) {
    const [from, to] = this.range(span);
    const fullWidth = new _TimeWindow().range(span)[1];
    const width = Math.max((to - from) / factor, MIN_WINDOW);
    if (width >= fullWidth) {
      this.fit();
      return;
    }
    const ratio = to > from ? (at - from) / (to - from) : 0.5;
    this.set(at - ratio * width, width, fullWidth);
  }
  /** Move the window by `delta` ms, never past either end of the run. */
  pan(delta, span) {
    if (!this.zoomed) return;
    const [from, to] = this.range(span);
    this.set(from + delta, to - from, new _TimeWindow().range(span)[1]);
  }
  fit() {
    this.from = this.to = null;
  }
  set(from, width, fullWidth) {
    const start = Math.min(Math.max(0, from), Math.max(0, fullWidth - width));
    this.from = start;
    this.to = start + width;
  }
};
function ticks(from, to, count = 6) {
  const step = niceStep(Math.max(to - from, MIN_WINDOW / 10), count);
  const times = [];
  const first = Math.ceil(from / step - 1e-9) * step;
  for (let t = first; t <= to + step * 1e-6 && times.length < 1e3; t += step) {
    times.push(Math.round(t * 1e6) / 1e6);
  }
  return { step, times };
}

// src/timeline.ts
var LABEL = 190;
var CHART = 560;
var ROW = 18;
var AXIS = 24;
var SPARE = 10;
var BACKOFF = "#c46c00";
var FIT = 26;
var LINES = [
  ["sfn-line-span", "state entered → left"],
  ["sfn-line-backoff", "backoff before a retry"]
];
function renderTimeline(model, el) {
  const store = new RowStore();
  const zoom = new TimeWindow();
  const canvas = h("div", "sfn-timeline-canvas");
  canvas.style.maxHeight = `${AXIS + FIT * ROW + 6}px`;
  const more = h("div", "sfn-timeline-more sfn-muted");
  more.hidden = true;
  const key = h("div", "");
  const tip = h("div", "sfn-tip");
  tip.hidden = true;
  const button = (text, title, action) => {
    const b = h("button", "sfn-zoom-button", text);
    b.title = title;
    b.addEventListener("click", action);
    return b;
  };
  const zoomOut = button("−", "Zoom out the time axis", () => zoomBy(1 / 2));
  const zoomIn = button("+", "Zoom in the time axis (or Ctrl/⌘ + wheel over the chart)", () => zoomBy(2));
  const fit = button("fit", "Show the whole run", () => {
    zoom.fit();
    draw();
  });
  const range = h("span", "sfn-muted sfn-zoom-range");
  const toolbar = h(
    "div",
    "sfn-toolbar sfn-timeline-toolbar",
    h("span", "sfn-muted", "time"),
    zoomOut,
    zoomIn,
    fit,
    range,
    button("expand all", "Open every Map, group and Parallel", () => {
      store.setAll(true);
      draw();
    }),
    button("collapse all", "Fold every Map, group and Parallel", () => {
      store.setAll(false);
      draw();
    })
  );
  const root = h("div", "sfn-timeline-widget", toolbar, canvas, more, key, tip);
  el.append(root);
  let visible = [];
  let firstRows = true;
  const where = () => {
    const count = visible.length;
    const first = Math.max(0, Math.floor((canvas.scrollTop - AXIS) / ROW)) + 1;
    const last = Math.min(count, Math.floor((canvas.scrollTop + canvas.clientHeight - AXIS - 6) / ROW));
    const below = canvas.scrollHeight - canvas.scrollTop - canvas.clientHeight > 1;
    more.hidden = count <= FIT;
    root.classList.toggle("sfn-more-below", below && count > FIT);
    more.textContent = `rows ${first}–${last} of ${count}${below ? " · scroll for more ↓" : ""}`;
  };
  const drawKey = () => {
    key.replaceChildren(legend(model.get("palette") ?? {}, LINES));
  };
  drawKey();
  let frame = 0;
  const ticker = setInterval(() => {
    if (store.ticking) schedule();
  }, 250);
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(() => {
      frame = 0;
      draw();
    });
  };
  const colour = (status) => {
    const palette = model.get("palette") ?? {};
    return (palette[status] ?? palette.NOT_REACHED ?? ["#ffffff", "#879196"])[1];
  };
  let drawnRows = /* @__PURE__ */ new Map();
  let span = 1;
  let from = 0;
  let to = 1;
  const draw = () => {
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
    const top = canvas.scrollTop;
    const sight = Math.max(canvas.clientHeight, AXIS + FIT * ROW + 6);
    const firstRow = Math.max(0, Math.floor((top - AXIS) / ROW) - SPARE);
    const lastRow = Math.min(visible.length, Math.ceil((top + sight - AXIS) / ROW) + SPARE);
    for (const t of times) {
      const x = LABEL + (t - from) * scale;
      svg.append(s("line", { x1: x, y1: AXIS - 4, x2: x, y2: height, class: "sfn-grid" }));
    }
    const clamp = (x) => Math.min(Math.max(x, LABEL), LABEL + CHART);
    const xOf = (ms) => LABEL + ((ms ?? end ?? span) - from) * scale;
    const outside = (a, b) => (b ?? end ?? span) < from || (a ?? 0) > to;
    drawnRows = /* @__PURE__ */ new Map();
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
        g.append(s("rect", {
          x: left,
          y: y + 8,
          width: Math.max(clamp(xOf(row.end)) - left, 1),
          height: 2,
          class: "sfn-span"
        }));
      }
      backoffs(row).forEach(([gapFrom, gapTo], n) => {
        if (outside(gapFrom, gapTo)) return;
        g.append(s("line", {
          x1: clamp(xOf(gapFrom)),
          y1: y + 9,
          x2: clamp(xOf(gapTo)),
          y2: y + 9,
          stroke: BACKOFF,
          "stroke-dasharray": "3,2",
          class: "sfn-backoff",
          "data-gap": n
        }));
      });
      bars(row).forEach(([start, stop, status], n) => {
        if (outside(start, stop)) return;
        const left = clamp(xOf(start));
        g.append(s("rect", {
          x: left,
          y: y + 4,
          width: Math.max(clamp(xOf(stop)) - left, 2),
          height: 10,
          rx: 2,
          fill: colour(status),
          class: "sfn-bar",
          "data-attempt": n
        }));
      });
      svg.append(g);
    }
    const axisTop = Math.max(0, Math.min(top, height - AXIS));
    const axis = s("g", { class: "sfn-axis-band" });
    axis.append(s("rect", { x: 0, y: axisTop, width, height: AXIS - 4, class: "sfn-axis-back" }));
    for (const t of times) {
      axis.append(s("text", {
        x: LABEL + (t - from) * scale,
        y: axisTop + AXIS - 8,
        "text-anchor": "middle",
        class: "sfn-axis"
      }, formatMs(t)));
    }
    svg.append(axis);
    canvas.replaceChildren(store.rows.size ? svg : h("div", "sfn-empty", "No states entered yet."));
    canvas.scrollTop = top;
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
  const timeAt = (clientX) => {
    const svg = canvas.querySelector("svg");
    const box = svg?.getBoundingClientRect();
    if (!box || !box.width) return (from + to) / 2;
    const x = (clientX - box.left) / box.width * (LABEL + CHART + 20) - LABEL;
    return from + Math.min(Math.max(x, 0), CHART) / CHART * (to - from);
  };
  const zoomBy = (factor, at = (from + to) / 2) => {
    zoom.zoom(factor, at, span);
    draw();
  };
  const onWheel = (event) => {
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      zoomBy(event.deltaY < 0 ? 1.25 : 0.8, timeAt(event.clientX));
    } else if (zoom.zoomed && (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY))) {
      event.preventDefault();
      const delta = event.shiftKey ? event.deltaY || event.deltaX : event.deltaX;
      zoom.pan(delta / CHART * (to - from), span);
      draw();
    }
  };
  const onClick = (event) => {
    const target = event.target;
    if (!target?.classList.contains("sfn-toggle")) return;
    const rowKey = target.closest("g.sfn-row")?.getAttribute("data-key");
    if (!rowKey) return;
    store.toggle(rowKey, Number(target.dataset.toggle ?? 0));
    draw();
  };
  const onMove = (event) => {
    const target = event.target;
    const rowKey = target?.closest("g.sfn-row")?.getAttribute("data-key");
    const row = rowKey ? drawnRows.get(rowKey) : void 0;
    const attempt = target?.getAttribute("data-attempt");
    const gap = target?.getAttribute("data-gap");
    if (!row || attempt === null && gap === null || !target) {
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
  const onLeave = () => {
    tip.hidden = true;
  };
  const onMessage = (message) => {
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
  model.on("change:palette", schedule);
  model.on("change:palette", drawKey);
  const snapshot = model.get("snapshot");
  if (snapshot && "rows" in snapshot) store.apply(snapshot, performance.now());
  const hello = { type: "hello" };
  model.send(hello);
  draw();
  return () => {
    clearInterval(ticker);
    if (frame) cancelAnimationFrame(frame);
    model.off("msg:custom", onMessage);
    model.off("change:palette", schedule);
    model.off("change:palette", drawKey);
    canvas.removeEventListener("scroll", schedule);
    canvas.removeEventListener("wheel", onWheel);
    canvas.removeEventListener("click", onClick);
    canvas.removeEventListener("mousemove", onMove);
    canvas.removeEventListener("mouseleave", onLeave);
  };
}
function describe(row, n) {
  const [start, end, status, error] = bars(row)[n] ?? [row.start, row.end, row.status, row.error];
  const lines = [`${row.label} (${row.type})`];
  lines.push(row.attempts.length ? `attempt ${n + 1} of ${row.attempts.length}: ${statusLabel(status)}` : statusLabel(status));
  if (start !== null) lines.push(`start +${formatMs(start)}`);
  lines.push(end === null ? "end: still running" : `end +${formatMs(end)}`);
  if (start !== null && end !== null) lines.push(`duration ${formatMs(end - start)}`);
  if (error) lines.push(`error: ${error}`);
  return lines;
}
function describeGap(row, n) {
  const found = backoffs(row)[n];
  if (!found) return [row.label];
  const [from, to] = found;
  return [
    `${row.label}: backoff before attempt ${n + 2}`,
    `from +${formatMs(from)} to +${formatMs(to)}`,
    `waited ${formatMs(to - from)}`
  ];
}

// src/index.ts
function renderHeader(model, el) {
  const root = h("div", "sfn-header");
  el.append(root);
  let receivedAt = performance.now();
  const duration = h("span", "");
  const tick = () => {
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
    const seconds = Math.floor((header.duration + extra) / 1e3);
    duration.textContent = seconds < 60 ? `${seconds} s` : formatMs(seconds * 1e3);
  };
  const ticker = setInterval(() => {
    if (model.get("header")?.ticking) tick();
  }, 500);
  const draw = () => {
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
      h("span", "sfn-muted", `${header.events} events`)
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
function render({ model, el }) {
  el.classList.add("sfn-widget");
  switch (model.get("kind")) {
    case "graph": {
      const graph = model;
      const cleanups = [renderScope(graph, el), renderGraph(graph, el)];
      return () => cleanups.forEach((cleanup) => cleanup());
    }
    case "timeline":
      return renderTimeline(model, el);
    case "events":
      return renderTable(model, el);
    case "header":
      return renderHeader(model, el);
    default:
      el.append(h("div", "sfn-empty", `Unknown sfn-notebook widget: ${String(model.get("kind"))}`));
      return () => void 0;
  }
}
var index_default = { render };
export {
  index_default as default
};
