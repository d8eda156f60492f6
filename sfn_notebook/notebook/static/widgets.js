// sfn-notebook widgets, built by widgets/build.mjs from widgets/src. Do not edit.
// source-sha256: 24f6ff3338a9e058de879972cabc00a607ad64a3aa14ac8e57153de7eafc16ba

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
function niceStep(span, ticks = 6) {
  const raw = Math.max(span, 1) / ticks;
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

// src/debugger.ts
function renderDebugger(model, el) {
  const root = h("div", "sfn-debugger");
  root.dataset.lmSuppressShortcuts = "true";
  const top = h("div", "sfn-debug-top");
  const bottom = h("div", "sfn-debug-bottom");
  const momentLabel = h("span", "sfn-debug-moment");
  const send = (action, state = null) => {
    const request = { type: "debug", action, state };
    model.send(request);
  };
  const travel = (event) => {
    const request = { type: "travel", event };
    model.send(request);
  };
  const button = (label, title, action) => {
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
  slider.addEventListener("input", () => travel(Number(slider.value)));
  const onKey = (event) => {
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
  const pick = h("input", "sfn-debug-pick");
  pick.type = "checkbox";
  pick.checked = true;
  const pickLabel = h("label", "sfn-muted", pick, " click a state on the graph to set a breakpoint");
  const view = () => el.closest(".sfn-execution-view");
  const stateOf = (node) => {
    for (const [name, id] of Object.entries(model.get("state_nodes") ?? {})) {
      if (id === node.id) return name;
    }
    return null;
  };
  const onGraphClick = (event) => {
    if (!pick.checked || model.get("status") !== "RUNNING") return;
    const node = event.target?.closest?.("g.node.sfn-state");
    const scope = view();
    if (!node || !scope || !scope.contains(node)) return;
    const name = stateOf(node);
    if (name === null) return;
    event.stopPropagation();
    event.preventDefault();
    send("toggle", name);
  };
  document.addEventListener("click", onGraphClick, true);
  const markGraph = () => {
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
  const travelRow = h(
    "div",
    "sfn-debug-travel",
    h("span", "sfn-muted", "Time travel "),
    slider,
    momentLabel,
    live
  );
  root.append(top, travelRow, bottom);
  el.append(root);
  const draw = () => {
    const paused = model.get("paused");
    const running = model.get("status") === "RUNNING";
    const controls = h(
      "div",
      "sfn-debug-controls",
      button("Step", "Let the first paused line run to the next state", "step"),
      button("Continue", "Let every paused line run to the next breakpoint", "resume"),
      button("Stop", "Stop the execution (ABORTED)", "stop")
    );
    for (const b of Array.from(controls.querySelectorAll("button"))) {
      b.disabled = !running || (b.classList.contains("sfn-debug-stop") ? false : !paused.state);
    }
    const where = paused.state ? h(
      "div",
      "sfn-debug-paused",
      h("strong", "", `Paused ${paused.kind === "state" ? "before" : paused.kind === "retry" ? "before a retry of" : "on a failure of"} ${paused.state}`),
      paused.map_iteration !== null && paused.map_iteration !== void 0 ? ` · iteration ${paused.map_iteration}` : "",
      ` · visit ${paused.visit ?? 0}`,
      paused.count && paused.count > 1 ? ` · ${paused.count} lines paused` : "",
      paused.error ? h("span", "sfn-error", ` · ${paused.error}`) : ""
    ) : h("div", "sfn-muted", running ? "Running" : `Ended: ${model.get("status")}`);
    const input = paused.input ? foldable("Pending input", paused.input, true) : null;
    const set = new Set(model.get("breakpoints") ?? []);
    const chips = h("div", "sfn-debug-breakpoints", h("span", "sfn-muted", "Breakpoints: "));
    for (const name of [...model.get("states") ?? [], "*error"]) {
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
    const info = model.get("moment_info");
    momentLabel.textContent = moment ? `event ${moment} / ${events}: ${info.event_type ?? ""}${info.state ? ` · ${info.state}` : ""}` : `live · ${events} events`;
    live.hidden = !moment;
    const parts = [controls, where, input, chips, pickLabel];
    markGraph();
    top.replaceChildren(...parts.filter((p) => p !== null));
    const below = [];
    if (moment && info.variables) below.push(foldable("Variables then", info.variables));
    if (moment && info.input) below.push(foldable("Input of that state", info.input));
    const error = model.get("error");
    if (error) below.push(h("div", "sfn-error", error));
    bottom.replaceChildren(...below);
    root.dataset.paused = paused.state ?? "";
  };
  const marker = setTimeout(markGraph, 500);
  const names = [
    "paused",
    "breakpoints",
    "events",
    "moment",
    "moment_info",
    "status",
    "error",
    "states",
    "state_nodes"
  ];
  for (const name of names) model.on(`change:${name}`, draw);
  draw();
  return () => {
    clearTimeout(marker);
    window.removeEventListener("keydown", onKey, true);
    document.removeEventListener("click", onGraphClick, true);
    for (const name of names) model.off(`change:${name}`, draw);
  };
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

// src/table.ts
var PAGE = 50;
function renderTable(model, el) {
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
  const types = () => filter.value ? [filter.value] : null;
  const ask = () => {
    const message = { type: "page", request: ++request, offset, limit: PAGE, types: types() };
    model.send(message);
  };
  const fillFilter = () => {
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
  const onTotal = () => {
    fillFilter();
    const matching = filter.value ? model.get("type_counts")[filter.value] ?? 0 : model.get("total");
    if (follow.checked) offset = Math.max(0, Math.floor(Math.max(matching - 1, 0) / PAGE) * PAGE);
    if (follow.checked || offset + PAGE > total) ask();
  };
  const show = (rows) => {
    body.replaceChildren();
    for (const row of rows) {
      const tr = h(
        "tr",
        "sfn-event",
        h("td", "", String(row.id)),
        h("td", "", row.time),
        h("td", "", row.type),
        h("td", "", row.summary)
      );
      body.append(tr);
      if (!row.details) continue;
      tr.classList.add("sfn-expandable");
      const more = h("tr", "sfn-event-details", h("td", "", ""));
      const cell = h("td", "", h("pre", "sfn-pre", row.details + (row.truncated ? "\n…" : "")));
      if (row.log) cell.append(h("div", "sfn-muted", "log"), h("pre", "sfn-pre sfn-log", row.log));
      cell.colSpan = 3;
      more.append(cell);
      more.hidden = !open.has(row.id);
      tr.addEventListener("click", () => {
        more.hidden = !more.hidden;
        if (more.hidden) open.delete(row.id);
        else open.add(row.id);
      });
      body.append(more);
    }
  };
  const onMessage = (message) => {
    if (message.type !== "page" || message.request !== request) return;
    total = message.total;
    offset = message.offset;
    show(message.rows);
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
  };
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
  }
  apply(update, now = 0) {
    if (update.reset) this.rows.clear();
    for (const row of update.rows) this.rows.set(row.key, row);
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
    return this.toggled.get(key) ?? children > AUTO_COLLAPSE;
  }
  /** Rows in tree order, skipping those under a collapsed row (rows whose parent has not
   * arrived yet are shown at the top level). */
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
    const walk = (parent, depth) => {
      for (const row of children.get(parent) ?? []) {
        const kids = children.get(row.key)?.length ?? 0;
        const collapsed = kids > 0 && this.isCollapsed(row.key, kids);
        out.push({ row, depth, children: kids, collapsed });
        if (!collapsed) walk(row.key, depth + 1);
      }
    };
    walk(null, 0);
    return out;
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

// src/timeline.ts
var LABEL = 190;
var CHART = 560;
var ROW = 18;
var AXIS = 24;
var MAX_DRAWN = 2e3;
var BACKOFF = "#c46c00";
var FIT = 26;
var LINES = [
  ["sfn-line-span", "state entered → left"],
  ["sfn-line-backoff", "backoff before a retry"]
];
function renderTimeline(model, el) {
  const store = new RowStore();
  const canvas = h("div", "sfn-timeline-canvas");
  canvas.style.maxHeight = `${AXIS + FIT * ROW + 6}px`;
  const more = h("div", "sfn-timeline-more sfn-muted");
  more.hidden = true;
  const key = h("div", "");
  const tip = h("div", "sfn-tip");
  tip.hidden = true;
  const root = h("div", "sfn-timeline-widget", canvas, more, key, tip);
  el.append(root);
  let rowCount = 0;
  const where = () => {
    const first = Math.max(0, Math.floor((canvas.scrollTop - AXIS) / ROW)) + 1;
    const last = Math.min(rowCount, Math.floor((canvas.scrollTop + canvas.clientHeight - AXIS - 6) / ROW));
    const below = canvas.scrollHeight - canvas.scrollTop - canvas.clientHeight > 1;
    more.hidden = rowCount <= FIT;
    root.classList.toggle("sfn-more-below", below && rowCount > FIT);
    more.textContent = `rows ${first}–${last} of ${rowCount}${below ? " · scroll for more ↓" : ""}`;
  };
  canvas.addEventListener("scroll", where);
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
  const draw = () => {
    const visible = store.visible();
    const shown = visible.slice(0, MAX_DRAWN);
    const now = performance.now();
    const end = store.now(now);
    const span = store.span(now);
    const step = niceStep(span);
    const scale = CHART / (Math.ceil(span / step) * step);
    const height = AXIS + ROW * (shown.length + (visible.length > shown.length ? 1 : 0)) + 6;
    const width = LABEL + CHART + 20;
    const svg = s("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "sfn-timeline-svg" });
    for (let t = 0; t <= span + step / 2; t += step) {
      const x = LABEL + t * scale;
      svg.append(
        s("line", { x1: x, y1: AXIS - 4, x2: x, y2: height, class: "sfn-grid" }),
        s("text", { x, y: AXIS - 8, "text-anchor": "middle", class: "sfn-axis" }, formatMs(t))
      );
    }
    const xOf = (ms) => LABEL + (ms ?? end ?? span) * scale;
    shown.forEach(({ row, depth, children, collapsed }, i) => {
      const y = AXIS + i * ROW;
      const g = s("g", { class: `sfn-row sfn-row-${row.kind}`, "data-key": row.key });
      let label = shorten(row.label, 26);
      if (row.attempts.length > 1) label += ` ×${row.attempts.length}`;
      if (children) label = `${collapsed ? "▸" : "▾"} ${label}${collapsed ? ` (${children})` : ""}`;
      const text = s("text", { x: 6 + depth * 12, y: y + 13, class: "sfn-row-label" }, label);
      if (children) {
        text.classList.add("sfn-toggle");
        text.addEventListener("click", () => {
          store.toggle(row.key, children);
          draw();
        });
      }
      g.append(text);
      g.append(s("rect", {
        x: xOf(row.start),
        y: y + 8,
        width: Math.max(xOf(row.end) - xOf(row.start), 1),
        height: 2,
        class: "sfn-span"
      }));
      for (const [from, to] of backoffs(row)) {
        const gap = s("line", {
          x1: xOf(from),
          y1: y + 9,
          x2: xOf(to),
          y2: y + 9,
          stroke: BACKOFF,
          "stroke-dasharray": "3,2",
          class: "sfn-backoff"
        });
        hover(gap, () => [`${row.label}: backoff ${formatMs(to - from)}`]);
        g.append(gap);
      }
      bars(row).forEach(([start, end2, status, error], n) => {
        const left = xOf(start);
        const bar = s("rect", {
          x: left,
          y: y + 4,
          width: Math.max(xOf(end2) - left, 2),
          height: 10,
          rx: 2,
          fill: colour(status),
          class: "sfn-bar"
        });
        hover(bar, () => describe(row, n, start, end2, status, error));
        g.append(bar);
      });
      svg.append(g);
    });
    const cursor = model.get("cursor");
    if (cursor !== null && cursor !== void 0) {
      svg.append(s("line", { x1: xOf(cursor), y1: AXIS - 4, x2: xOf(cursor), y2: height, class: "sfn-cursor" }));
    }
    if (visible.length > shown.length) {
      svg.append(s(
        "text",
        { x: 6, y: AXIS + shown.length * ROW + 13, class: "sfn-muted" },
        `… ${visible.length - shown.length} more rows`
      ));
    }
    canvas.replaceChildren(store.rows.size ? svg : h("div", "sfn-empty", "No states entered yet."));
    rowCount = shown.length + (visible.length > shown.length ? 1 : 0);
    where();
  };
  const hover = (target, lines) => {
    target.addEventListener("mousemove", (event) => {
      tip.replaceChildren(...lines().map((line) => h("div", "", line)));
      const box = root.getBoundingClientRect();
      tip.style.left = `${event.clientX - box.left + 12}px`;
      tip.style.top = `${event.clientY - box.top + 12}px`;
      tip.hidden = false;
    });
    target.addEventListener("mouseleave", () => {
      tip.hidden = true;
    });
  };
  const onMessage = (message) => {
    if (message.type !== "rows") return;
    store.apply(message, performance.now());
    root.dataset.status = message.status;
    schedule();
  };
  model.on("msg:custom", onMessage);
  model.on("change:cursor", schedule);
  model.on("change:palette", schedule);
  model.on("change:palette", drawKey);
  const hello = { type: "hello" };
  model.send(hello);
  draw();
  return () => {
    clearInterval(ticker);
    if (frame) cancelAnimationFrame(frame);
    model.off("msg:custom", onMessage);
    model.off("change:cursor", schedule);
    model.off("change:palette", schedule);
    model.off("change:palette", drawKey);
    canvas.removeEventListener("scroll", where);
  };
}
function describe(row, n, start, end, status, error) {
  const lines = [`${row.label} (${row.type})`];
  lines.push(row.attempts.length ? `attempt ${n + 1} of ${row.attempts.length}: ${statusLabel(status)}` : statusLabel(status));
  if (start !== null) {
    lines.push(end === null ? `started +${formatMs(start)}, running` : `+${formatMs(start)} for ${formatMs(end - start)}`);
  }
  if (error) lines.push(`error: ${error}`);
  return lines;
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
    case "graph":
      return renderGraph(model, el);
    case "timeline":
      return renderTimeline(model, el);
    case "events":
      return renderTable(model, el);
    case "header":
      return renderHeader(model, el);
    case "debugger":
      return renderDebugger(model, el);
    default:
      el.append(h("div", "sfn-empty", `Unknown sfn-notebook widget: ${String(model.get("kind"))}`));
      return () => void 0;
  }
}
var index_default = { render };
export {
  index_default as default
};
