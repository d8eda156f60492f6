// sfn-notebook widgets, built by widgets/build.mjs from widgets/src. Do not edit.
// source-sha256: 36effaf3b1d9b78767f72de65d71b4aca8f34da42ab3bcd0f5b172390223aeac

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
  const details = h("details", "sfn-fold", h("summary", "", summary), h("pre", "sfn-pre", text));
  details.open = open;
  return details;
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
  const button2 = (label, title, action) => {
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
      button2("Step", "Let the first paused line run to the next state", "step"),
      button2("Continue", "Let every paused line run to the next breakpoint", "resume"),
      button2("Stop", "Stop the execution (ABORTED)", "stop")
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

// ../labextension/src/zoom.ts
var PX_PER_PT = 4 / 3;
var MIN_FIT = 0.68;
var MAX_FIT = 1;
var MIN_SCALE = 0.05;
var MAX_SCALE = 4;
var STEP = 1.25;
function round2(value) {
  return Math.round(value * 100) / 100;
}
function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}
function fitScale(natural, box, minFit = MIN_FIT, maxFit = MAX_FIT) {
  if (natural.width <= 0 || natural.height <= 0 || box.width <= 0 || box.height <= 0) {
    return { scale: 1, overflows: false };
  }
  const sx = box.width / natural.width;
  const sy = box.height / natural.height;
  const whole = Math.min(sx, sy, maxFit);
  if (whole >= minFit) {
    return { scale: whole, overflows: false };
  }
  const widthOnly = Math.min(sx, maxFit);
  if (widthOnly >= minFit) {
    return { scale: widthOnly, overflows: true };
  }
  return { scale: minFit, overflows: true };
}
function wheelFactor(deltaY, deltaMode = 0) {
  const pixels = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-clamp(pixels, -200, 200) / 300);
}
function zoomScroll(scroll, pointer, from, to) {
  const ratio = to / from;
  return {
    left: (scroll.left + pointer.x) * ratio - pointer.x,
    top: (scroll.top + pointer.y) * ratio - pointer.y
  };
}
function revealScroll(target, view, margin = 24) {
  const inside = target.x >= view.left + margin && target.y >= view.top + margin && target.x + target.width <= view.left + view.width - margin && target.y + target.height <= view.top + view.height - margin;
  if (inside) {
    return null;
  }
  return {
    left: Math.max(0, target.x + target.width / 2 - view.width / 2),
    top: Math.max(0, target.y + target.height / 2 - view.height / 2)
  };
}
function naturalSize(svg) {
  const box = (svg.getAttribute("viewBox") ?? "").trim().split(/[\s,]+/).map(Number);
  const fromBox = box.length === 4 && box.every(Number.isFinite);
  const read = (name, fallback) => {
    const text = svg.dataset[name === "width" ? "sfnWidth" : "sfnHeight"] ?? svg.getAttribute(name);
    const match = text ? /^([\d.]+)\s*(pt|px)?$/.exec(text.trim()) : null;
    if (match) {
      return Number(match[1]) * (match[2] === "px" ? 1 : PX_PER_PT);
    }
    return fallback * PX_PER_PT;
  };
  return {
    width: read("width", fromBox ? box[2] : 0),
    height: read("height", fromBox ? box[3] : 0)
  };
}
var ZOOM_CSS = `
.sfn-zoom-toolbar { display: flex; flex-wrap: wrap; gap: 2px; align-items: center; margin: 2px 0;
  font-family: var(--jp-ui-font-family, sans-serif); font-size: 11px; }
.sfn-zoom-toolbar button { min-width: 24px; height: 22px; padding: 0 6px; cursor: pointer;
  border: 1px solid var(--jp-border-color1, #c6cbd1); border-radius: 3px;
  background: var(--jp-layout-color1, #ffffff); color: var(--jp-ui-font-color1, #16191f);
  font: inherit; }
.sfn-zoom-toolbar button:hover { background: var(--jp-layout-color2, #f2f3f3); }
.sfn-zoom-toolbar .sfn-zoom-sep { width: 8px; }
.sfn-zoom-level { min-width: 38px; text-align: center; color: var(--jp-ui-font-color2, #5f6b7a); }
.sfn-zoom-box { overflow: auto; scrollbar-gutter: stable; cursor: grab; outline: none; }
.sfn-zoom-box:focus-visible { box-shadow: inset 0 0 0 1px var(--jp-brand-color1, #0972d3); }
.sfn-zoom-box.sfn-zoom-dragging { cursor: grabbing; user-select: none; }
.sfn-zoom-box svg.sfn-zoom-svg { display: block; max-width: none; max-height: none; margin: 0 auto;
  height: auto; }
`;
function addStyle(doc) {
  if (!doc.getElementById("sfn-zoom-style")) {
    const style = doc.createElement("style");
    style.id = "sfn-zoom-style";
    style.textContent = ZOOM_CSS;
    doc.head.append(style);
  }
}
var ZoomView = class {
  constructor(box, options = {}) {
    this.box = box;
    this._onTouch = () => {
      this._touched = true;
    };
    this._onWheel = (event) => {
      if (!this._svg || !(event.ctrlKey || event.metaKey)) {
        return;
      }
      event.preventDefault();
      this.zoomBy(wheelFactor(event.deltaY, event.deltaMode), this._pointer(event));
    };
    this._onKey = (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey || !this._svg) {
        return;
      }
      const actions = {
        "+": () => this.zoomBy(STEP),
        "=": () => this.zoomBy(STEP),
        "-": () => this.zoomBy(1 / STEP),
        "0": () => this.fit(),
        "1": () => this.setScale(1)
      };
      const action = actions[event.key];
      if (action) {
        event.preventDefault();
        event.stopPropagation();
        action();
      }
    };
    this._onPointerDown = (event) => {
      if (event.button !== 0 || !this._svg || !this._svg.contains(event.target)) {
        return;
      }
      const start = { x: event.clientX, y: event.clientY };
      const scroll = { left: this.box.scrollLeft, top: this.box.scrollTop };
      this._dragged = false;
      const move = (e) => {
        const dx = e.clientX - start.x;
        const dy = e.clientY - start.y;
        if (!this._dragged && Math.hypot(dx, dy) < 4) {
          return;
        }
        if (!this._dragged) {
          this._dragged = true;
          this.box.classList.add("sfn-zoom-dragging");
          try {
            this.box.setPointerCapture(event.pointerId);
          } catch {
          }
        }
        this.box.scrollLeft = scroll.left - dx;
        this.box.scrollTop = scroll.top - dy;
      };
      const up = () => {
        this.box.classList.remove("sfn-zoom-dragging");
        this.box.removeEventListener("pointermove", move);
        this.box.removeEventListener("pointerup", up);
        this.box.removeEventListener("pointercancel", up);
      };
      this.box.addEventListener("pointermove", move);
      this.box.addEventListener("pointerup", up);
      this.box.addEventListener("pointercancel", up);
    };
    /** A drag ends with a click on whatever is under the pointer: that click is not a select. */
    this._onClickCapture = (event) => {
      if (this._dragged) {
        this._dragged = false;
        event.stopPropagation();
        event.preventDefault();
      }
    };
    this._svg = null;
    this._natural = { width: 0, height: 0 };
    this._scale = 1;
    this._mode = "fit";
    this._dragged = false;
    this._touched = false;
    this._following = null;
    const doc = box.ownerDocument;
    addStyle(doc);
    this._maxHeight = options.maxHeight;
    box.classList.add("sfn-zoom-box");
    box.tabIndex = box.tabIndex >= 0 ? box.tabIndex : 0;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", "State machine graph: + and - zoom, 0 fits, drag to pan");
    this.toolbar = doc.createElement("div");
    this.toolbar.className = "sfn-zoom-toolbar";
    this.toolbar.setAttribute("role", "toolbar");
    this.toolbar.setAttribute("aria-label", "Graph zoom");
    this._label = doc.createElement("span");
    this._label.className = "sfn-zoom-level";
    this.toolbar.append(
      this._button("−", "Zoom out (−, or Ctrl/⌘ + wheel)", "out", () => this.zoomBy(1 / STEP)),
      this._label,
      this._button("+", "Zoom in (+, or Ctrl/⌘ + wheel)", "in", () => this.zoomBy(STEP)),
      this._button(
        "Fit",
        "Fit the graph to the view, keeping labels readable (0)",
        "fit",
        () => this.fit()
      ),
      this._button("1:1", "Natural size (1)", "actual", () => this.setScale(1)),
      ...options.extraButtons ?? []
    );
    box.addEventListener("wheel", this._onWheel, { passive: false });
    for (const name of ["wheel", "pointerdown", "keydown", "touchstart"]) {
      box.addEventListener(name, this._onTouch, { passive: true });
    }
    box.addEventListener("keydown", this._onKey);
    box.addEventListener("pointerdown", this._onPointerDown);
    box.addEventListener("click", this._onClickCapture, true);
    if (typeof ResizeObserver !== "undefined") {
      let seen = "";
      this._resize = new ResizeObserver(() => {
        const size = `${box.clientWidth}x${this._maxHeight ?? box.clientHeight}`;
        if (size !== seen) {
          seen = size;
          if (this._mode === "fit") {
            const y = (box.scrollTop + box.clientHeight / 2) / Math.max(1, box.scrollHeight);
            const x = (box.scrollLeft + box.clientWidth / 2) / Math.max(1, box.scrollWidth);
            this.fit();
            if (this._touched) {
              box.scrollTop = y * box.scrollHeight - box.clientHeight / 2;
              box.scrollLeft = x * box.scrollWidth - box.clientWidth / 2;
            }
          }
          if (!this._touched && this._following?.isConnected) {
            this.reveal(this._following, false);
          }
        }
      });
      this._resize.observe(box);
    }
  }
  get scale() {
    return this._scale;
  }
  /** 'fit' until the user zooms by hand; a redraw then keeps the hand-picked scale. */
  get mode() {
    return this._mode;
  }
  get svg() {
    return this._svg;
  }
  /**
   * Show `svg` in the box, in place of what it held. A new graph is fitted; with `keep`, a
   * redraw of the same graph keeps a hand-picked scale (else fits the new drawing) and the
   * scroll position.
   */
  setSvg(svg, keep = false) {
    const scroll = { left: this.box.scrollLeft, top: this.box.scrollTop };
    const natural = naturalSize(svg);
    svg.dataset.sfnWidth = `${natural.width}px`;
    svg.dataset.sfnHeight = `${natural.height}px`;
    svg.classList.add("sfn-zoom-svg");
    const redraw = keep && this._svg !== null;
    this._svg = svg;
    this._natural = natural;
    if (redraw) {
      const fitted = fitScale(natural, this._boxSize());
      this._apply(this._mode === "manual" ? this._scale : fitted.scale);
      this.box.dataset.overflows = String(fitted.overflows);
    }
    if (svg.parentNode !== this.box) {
      this.box.replaceChildren(svg);
    }
    if (redraw) {
      this.box.scrollLeft = scroll.left;
      this.box.scrollTop = scroll.top;
    } else {
      this._touched = false;
      this._following = null;
      this.fit();
    }
  }
  /** Forget the drawing (the host shows a message instead). */
  clear() {
    this._svg = null;
    this._label.textContent = "";
  }
  /** Fit the graph (see `fitScale`); a graph that overflows shows its start, top centre. */
  fit() {
    this._mode = "fit";
    if (!this._svg) {
      return;
    }
    const found = fitScale(this._natural, this._boxSize());
    this._apply(found.scale);
    const width = this._natural.width * found.scale;
    this.box.scrollTop = 0;
    this.box.scrollLeft = Math.max(0, (width - this.box.clientWidth) / 2);
    this.box.dataset.overflows = String(found.overflows);
  }
  /** Set the scale, keeping the point at `pointer` (box coordinates; default: the centre). */
  setScale(scale, pointer) {
    if (!this._svg) {
      return;
    }
    this._mode = "manual";
    const box = this._boxSize();
    const whole = Math.min(box.width / this._natural.width, box.height / this._natural.height);
    const low = Math.min(MIN_SCALE, whole > 0 ? whole : MIN_SCALE);
    const to = clamp(scale, low, MAX_SCALE);
    const at = pointer ?? { x: this.box.clientWidth / 2, y: this.box.clientHeight / 2 };
    const next = zoomScroll(
      { left: this.box.scrollLeft, top: this.box.scrollTop },
      at,
      this._scale,
      to
    );
    this._apply(to);
    this.box.scrollLeft = next.left;
    this.box.scrollTop = next.top;
  }
  zoomBy(factor, pointer) {
    this.setScale(this._scale * factor, pointer);
  }
  /**
   * `reveal`, unless the user has moved the view by hand since this graph was drawn: a live view
   * follows the running state until the user takes over.
   */
  follow(element) {
    this._following = element;
    if (!this._touched) {
      this.reveal(element);
    }
  }
  /** Scroll so that `element` (inside the SVG) is in view; nothing when it already is. */
  reveal(element, smooth = true) {
    if (!this._svg || !this._svg.contains(element)) {
      return;
    }
    const boxRect = this.box.getBoundingClientRect();
    const rect = element.getBoundingClientRect();
    const target = {
      x: rect.left - boxRect.left + this.box.scrollLeft,
      y: rect.top - boxRect.top + this.box.scrollTop,
      width: rect.width,
      height: rect.height
    };
    const view = {
      left: this.box.scrollLeft,
      top: this.box.scrollTop,
      width: this.box.clientWidth,
      height: this.box.clientHeight
    };
    const next = revealScroll(target, view);
    if (next) {
      this.box.scrollTo({ ...next, behavior: smooth ? "smooth" : "auto" });
    }
  }
  dispose() {
    this._resize?.disconnect();
    this.box.removeEventListener("wheel", this._onWheel);
    for (const name of ["wheel", "pointerdown", "keydown", "touchstart"]) {
      this.box.removeEventListener(name, this._onTouch);
    }
    this.box.removeEventListener("keydown", this._onKey);
    this.box.removeEventListener("pointerdown", this._onPointerDown);
    this.box.removeEventListener("click", this._onClickCapture, true);
  }
  /** The room for the graph: the box's inner size less its padding. */
  _boxSize() {
    const style = this.box.ownerDocument.defaultView?.getComputedStyle(this.box);
    const pad = (a, b) => style ? (parseFloat(style.getPropertyValue(a)) || 0) + (parseFloat(style.getPropertyValue(b)) || 0) : 0;
    const width = this.box.clientWidth - pad("padding-left", "padding-right");
    const height = (this._maxHeight ?? this.box.clientHeight) - pad("padding-top", "padding-bottom");
    return { width, height };
  }
  _apply(scale) {
    this._scale = scale;
    if (this._svg) {
      this._svg.setAttribute("width", `${round2(this._natural.width * scale)}px`);
      this._svg.setAttribute("height", `${round2(this._natural.height * scale)}px`);
    }
    this._label.textContent = `${Math.round(scale * 100)}%`;
    this.box.dataset.scale = scale.toFixed(3);
  }
  _button(text, title, name, run) {
    const button2 = this.box.ownerDocument.createElement("button");
    button2.type = "button";
    button2.className = `sfn-zoom-button sfn-zoom-${name}`;
    button2.textContent = text;
    button2.title = title;
    button2.setAttribute("aria-label", title);
    button2.addEventListener("click", () => {
      this._touched = true;
      run();
    });
    return button2;
  }
  _pointer(event) {
    const rect = this.box.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }
};

// ../labextension/src/export.ts
var MAX_CANVAS_SIDE = 16384;
var MAX_CANVAS_AREA = 16777216;
var PAGE_ONLY_CLASSES = [
  "sfn-zoom-svg",
  "sfn-graph-svg",
  "sfn-selected",
  "sfn-mod-current",
  "sfn-mod-flash"
];
function pngScale(size, wanted = 2, maxSide = MAX_CANVAS_SIDE, maxArea = MAX_CANVAS_AREA) {
  if (size.width <= 0 || size.height <= 0) {
    return wanted;
  }
  const bySide = maxSide / Math.max(size.width, size.height);
  const byArea = Math.sqrt(maxArea / (size.width * size.height));
  return Math.min(wanted, bySide, byArea);
}
function exportSvgElement(svg, doc = svg.ownerDocument) {
  const natural = naturalSize(svg);
  const copy = svg.cloneNode(true);
  copy.removeAttribute("style");
  copy.setAttribute("width", `${round3(natural.width * 0.75)}pt`);
  copy.setAttribute("height", `${round3(natural.height * 0.75)}pt`);
  for (const el of [copy, ...Array.from(copy.querySelectorAll("*"))]) {
    el.classList.remove(...PAGE_ONLY_CLASSES);
    if (el.getAttribute("class") === "") {
      el.removeAttribute("class");
    }
    for (const attr of Array.from(el.attributes)) {
      if (attr.name.startsWith("data-")) {
        el.removeAttribute(attr.name);
      }
    }
  }
  const page = copy.querySelector("g.graph polygon");
  if (page) {
    page.setAttribute("fill", "#ffffff");
    page.setAttribute("stroke", "none");
  }
  const safe = parseSafeSvg(new XMLSerializer().serializeToString(copy), doc);
  if (!safe) {
    throw new Error("The graph could not be exported as SVG");
  }
  return safe;
}
function exportSvgText(svg) {
  const el = exportSvgElement(svg);
  if (!el.getAttribute("xmlns")) {
    el.setAttribute("xmlns", SVG_NS2);
  }
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
${new XMLSerializer().serializeToString(el)}
`;
}
async function exportPng(svg, wanted = 2) {
  const text = exportSvgText(svg);
  const natural = naturalSize(svg);
  const scale = pngScale(natural, wanted);
  const width = Math.max(1, Math.round(natural.width * scale));
  const height = Math.max(1, Math.round(natural.height * scale));
  const doc = svg.ownerDocument;
  const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
  try {
    const image = new Image();
    image.decoding = "sync";
    await new Promise((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error("The browser could not draw the graph as an image"));
      image.src = url;
    });
    const canvas = doc.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d");
    if (!context) {
      throw new Error("No 2D canvas in this browser");
    }
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, width, height);
    context.drawImage(image, 0, 0, width, height);
    return await new Promise(
      (resolve, reject) => canvas.toBlob(
        (blob) => blob ? resolve(blob) : reject(new Error("The PNG could not be encoded")),
        "image/png"
      )
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
function download(data, name, type = "application/octet-stream") {
  const blob = typeof data === "string" ? new Blob([data], { type }) : data;
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1e4);
}
function fileStem(name, fallback = "state-machine") {
  const cleaned = name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, "_").trim();
  return cleaned.slice(0, 120) || fallback;
}
function round3(value) {
  return Math.round(value * 100) / 100;
}

// src/graphexport.ts
function graphName(svg) {
  const title = svg.querySelector("g.graph > title")?.textContent ?? "";
  return fileStem(title === "state machine" ? "" : title);
}
function button(label, title, name, run) {
  const el = h("button", `sfn-zoom-button sfn-export-${name}`, label);
  el.type = "button";
  el.title = title;
  el.setAttribute("aria-label", title);
  el.addEventListener("click", () => {
    el.disabled = true;
    Promise.resolve().then(run).catch((reason) => {
      el.title = `${title}: failed (${reason instanceof Error ? reason.message : String(reason)})`;
    }).finally(() => {
      el.disabled = false;
    });
  });
  return el;
}
function exportButtons(model, current) {
  const onMessage = (message) => {
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
      const request = { type: "export" };
      model.send(request);
    })
  ];
  return { buttons, dispose: () => model.off("msg:custom", onMessage) };
}

// src/inspector.ts
var OPEN_BELOW = 4e3;
function inspector(model, onClose = () => void 0) {
  const el = h("div", "sfn-inspector");
  el.hidden = true;
  let request = 0;
  let state = "";
  const open = (target) => {
    request += 1;
    el.hidden = false;
    el.dataset.loading = "true";
    if (!el.firstChild) el.append(h("div", "sfn-muted", "Loading…"));
    const message = { type: "inspect", request, ...target };
    model.send(message);
  };
  const close = () => {
    request += 1;
    el.hidden = true;
    el.replaceChildren();
    onClose();
  };
  const onMessage = (message) => {
    if (message.type !== "inspection" || message.request !== request) return;
    delete el.dataset.loading;
    if (!message.state) {
      el.hidden = true;
      el.replaceChildren();
      return;
    }
    state = message.state;
    el.dataset.state = state;
    const palette = model.get("palette") ?? {};
    el.replaceChildren(
      ...panel(message, (key, attempt) => open({ state, key, attempt }), close, palette)
    );
  };
  model.on("msg:custom", onMessage);
  return {
    el,
    open,
    close,
    dispose: () => model.off("msg:custom", onMessage)
  };
}
function panel(reply, pick, close, palette = {}) {
  const closeButton = h("button", "sfn-close", "×");
  closeButton.title = "Close the inspector";
  closeButton.addEventListener("click", close);
  const out = [
    h(
      "div",
      "sfn-details-title sfn-inspector-title",
      h("strong", "", reply.state || "Inspector"),
      reply.state_type ? ` ${reply.state_type}` : "",
      closeButton
    )
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
    const count = reply.total > reply.visits.length ? ` (${reply.visits.length} of ${reply.total} listed; click a timeline row for the others)` : ` (${reply.total})`;
    out.push(h("label", "sfn-inspector-picker", "Visit ", picker, h("span", "sfn-muted", count)));
  }
  if (reply.current) out.push(visitBlock(reply.current, palette));
  if (reply.definition) out.push(foldable("Definition", reply.definition));
  return out;
}
function visitBlock(visit, palette) {
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
  const panel2 = h("div", "sfn-graph-details");
  panel2.hidden = true;
  const exports = exportButtons(model, () => zoom.svg);
  const zoom = new ZoomView(canvas, { maxHeight: 720, extraButtons: exports.buttons });
  const root = h("div", "sfn-graph-widget", h("div", "sfn-graph-main", zoom.toolbar, canvas), panel2);
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
      zoom.clear();
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
    zoom.setSvg(svg);
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
    const active = [...drawn].find(([id]) => nodes[id]?.status === "RUNNING") ?? [...drawn].find(([id]) => nodes[id]?.status === "FAILED");
    if (active) zoom.follow(active[1].group);
  };
  const inspect = inspector(model, () => {
    selected = null;
    panel2.hidden = true;
    paint();
  });
  panel2.append(inspect.el);
  const onClick = (event) => {
    const group = event.target?.closest?.("g.node.sfn-state");
    if (!group || !drawn.has(group.id)) return;
    selected = group.id;
    paint();
    panel2.hidden = false;
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

// src/maprun.ts
var SEGMENTS = [
  ["succeeded", "SUCCEEDED", "succeeded"],
  ["failed", "FAILED", "failed"],
  ["timedOut", "TIMED_OUT", "timed out"],
  ["aborted", "ABORTED", "aborted"],
  ["running", "RUNNING", "running"],
  ["pending", "PENDING", "pending"]
];
function shares(items) {
  const total = items.total ?? 0;
  if (!total) return [];
  return SEGMENTS.map(([key]) => [key, 100 * (items[key] ?? 0) / total]).filter(
    ([, share]) => share > 0
  );
}
function doneText(items) {
  const total = items.total ?? 0;
  const done = total - (items.pending ?? 0) - (items.running ?? 0);
  return `${done} / ${total} item${total === 1 ? "" : "s"} done`;
}
function renderMapRuns(model, el) {
  const list = h("div", "sfn-mapruns");
  const details = h("div", "sfn-maprun-child");
  el.append(h("div", "sfn-maprun-widget", list, details));
  const ask = (run, index, name) => {
    const message = { type: "child", map_run: run.arn, index, name };
    details.replaceChildren(h("div", "sfn-muted", "…"));
    model.send(message);
  };
  const failureRow = (run, failure) => {
    const row = h(
      "tr",
      "sfn-expandable",
      h("td", "", failure.index >= 0 ? `#${failure.index}` : ""),
      h("td", "sfn-error", failure.error ?? statusLabel(failure.status)),
      h("td", "sfn-maprun-cause", failure.cause ?? (run.remote ? failure.name.split(":").pop() ?? "" : ""))
    );
    row.title = failure.name;
    row.addEventListener("click", () => ask(run, failure.index, run.remote ? failure.name : null));
    return row;
  };
  const bar = (run, palette) => {
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
  const counts2 = (run, palette) => {
    const items = SEGMENTS.filter(([key]) => (run.items[key] ?? 0) > 0 || key === "succeeded" || key === "failed").map(
      ([key, status, label]) => {
        const swatch = h("span", "sfn-swatch");
        const [fill, border] = palette[status] ?? ["#ffffff", "#879196"];
        swatch.style.background = fill;
        swatch.style.borderColor = border;
        return h("span", `sfn-legend-item sfn-maprun-count-${key}`, swatch, `${run.items[key] ?? 0} ${label}`);
      }
    );
    return h("div", "sfn-legend", ...items);
  };
  const draw = () => {
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
          h("span", "sfn-muted", `${run.children} child execution${run.children === 1 ? "" : "s"}`)
        );
        const parts = [head, bar(run, palette), counts2(run, palette)];
        if (run.failures.length) {
          const more = run.more_failures ? ` (latest ${run.failures.length}; ${run.more_failures} more)` : "";
          const body = h("tbody", "", ...run.failures.map((f) => failureRow(run, f)));
          parts.push(
            h("div", "sfn-muted", `Failures${more} — click one for its child execution`),
            h(
              "div",
              "sfn-table-scroll sfn-maprun-failures",
              h("table", "sfn-events", h("thead", "", h(
                "tr",
                "",
                h("th", "", "item"),
                h("th", "", "error"),
                h("th", "", "cause")
              )), body)
            )
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
      })
    );
  };
  const field = (label, value) => value === null || value === void 0 || value === "" ? null : h("div", "", h("span", "sfn-muted", `${label}: `), String(value));
  const showChild = (reply) => {
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
      close
    );
    const palette = model.get("palette") ?? {};
    const colours = palette[reply.status];
    const badge = title.children[1];
    if (colours) {
      badge.style.background = colours[0];
      badge.style.borderColor = colours[1];
    }
    const name = h("code", "sfn-maprun-arn", reply.name ?? "");
    const open = reply.open ? h("pre", "sfn-pre sfn-maprun-open", reply.open) : null;
    const parts = [
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
      open
    ];
    details.replaceChildren(...parts.filter((part) => part !== null));
  };
  const onMessage = (message) => {
    const reply = message;
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
  const inspect = inspector(model);
  el.append(h("div", "sfn-table-widget", toolbar, scroll, inspect.el));
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
  const details = (row) => {
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
      const more = details(item.row);
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
    clearTimeout(typing);
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
    clearTimeout(typing);
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

// src/timewindow.ts
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
  const button2 = (text, title, action) => {
    const b = h("button", "sfn-zoom-button", text);
    b.title = title;
    b.addEventListener("click", action);
    return b;
  };
  const zoomOut = button2("−", "Zoom out the time axis", () => zoomBy(1 / 2));
  const zoomIn = button2("+", "Zoom in the time axis (or Ctrl/⌘ + wheel over the chart)", () => zoomBy(2));
  const fit = button2("Fit", "Show the whole run", () => {
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
    button2("expand all", "Open every Map, group and Parallel", () => {
      store.setAll(true);
      draw();
    }),
    button2("collapse all", "Fold every Map, group and Parallel", () => {
      store.setAll(false);
      draw();
    })
  );
  const root = h("div", "sfn-timeline-widget", toolbar, canvas, more, key, tip);
  el.append(root);
  const inspect = inspector(model);
  root.append(inspect.el);
  const onRowClick = (event) => {
    const target = event.target;
    if (!target || target.classList.contains("sfn-toggle")) return;
    let row = target.closest?.("g.sfn-row");
    for (const g of row ? [] : Array.from(canvas.querySelectorAll("g.sfn-row"))) {
      const box = g.getBoundingClientRect();
      if (event.clientY >= box.top && event.clientY < box.bottom) row = g;
    }
    if (row?.dataset.key) inspect.open({ row: row.dataset.key });
  };
  canvas.addEventListener("click", onRowClick);
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
    const clamp2 = (x) => Math.min(Math.max(x, LABEL), LABEL + CHART);
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
        const left = clamp2(xOf(row.start));
        g.append(s("rect", {
          x: left,
          y: y + 8,
          width: Math.max(clamp2(xOf(row.end)) - left, 1),
          height: 2,
          class: "sfn-span"
        }));
      }
      backoffs(row).forEach(([gapFrom, gapTo], n) => {
        if (outside(gapFrom, gapTo)) return;
        g.append(s("line", {
          x1: clamp2(xOf(gapFrom)),
          y1: y + 9,
          x2: clamp2(xOf(gapTo)),
          y2: y + 9,
          stroke: BACKOFF,
          "stroke-dasharray": "3,2",
          class: "sfn-backoff",
          "data-gap": n
        }));
      });
      bars(row).forEach(([start, stop, status], n) => {
        if (outside(start, stop)) return;
        const left = clamp2(xOf(start));
        g.append(s("rect", {
          x: left,
          y: y + 4,
          width: Math.max(clamp2(xOf(stop)) - left, 2),
          height: 10,
          rx: 2,
          fill: colour(status),
          class: "sfn-bar",
          "data-attempt": n
        }));
      });
      svg.append(g);
    }
    const cursor = model.get("cursor");
    if (cursor !== null && cursor !== void 0 && !outside(cursor, cursor)) {
      svg.append(s("line", { x1: xOf(cursor), y1: AXIS - 4, x2: xOf(cursor), y2: height, class: "sfn-cursor" }));
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
  model.on("change:cursor", schedule);
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
    model.off("change:cursor", schedule);
    model.off("change:palette", schedule);
    model.off("change:palette", drawKey);
    canvas.removeEventListener("scroll", schedule);
    canvas.removeEventListener("wheel", onWheel);
    canvas.removeEventListener("click", onClick);
    canvas.removeEventListener("mousemove", onMove);
    canvas.removeEventListener("mouseleave", onLeave);
    canvas.removeEventListener("click", onRowClick);
    inspect.dispose();
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
    case "maprun":
      return renderMapRuns(model, el);
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
