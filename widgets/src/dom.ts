// DOM helpers. Text from the kernel (state names, payloads, errors) only ever reaches the page as
// textContent or attribute values, never as HTML; the one exception, the graph's SVG, goes through
// parseSvg, which parses it as XML and strips anything active.

const SVG_NS = "http://www.w3.org/2000/svg";

type Child = Node | string | null | undefined | false;

/** An HTML element with classes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = "",
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

/** An SVG element with attributes. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  text?: string,
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

const ACTIVE = new Set(["script", "foreignobject", "iframe", "object", "embed", "use"]);

/** Parse SVG text as XML and drop scripts, event handlers and javascript: links. */
export function parseSvg(text: string): SVGSVGElement | null {
  if (!text) return null;
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const root = doc.documentElement;
  if (root.nodeName.toLowerCase() !== "svg" || doc.getElementsByTagName("parsererror").length) {
    return null;
  }
  for (const el of Array.from(root.querySelectorAll("*")).concat([root])) {
    if (ACTIVE.has(el.localName.toLowerCase())) {
      el.remove();
      continue;
    }
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const value = attr.value.trim().toLowerCase();
      if (name.startsWith("on") || (name.endsWith("href") && value.startsWith("javascript:"))) {
        el.removeAttribute(attr.name);
      }
    }
  }
  return document.importNode(root, true) as unknown as SVGSVGElement;
}

/** A collapsible block of preformatted text (payloads, definitions, causes). */
export function foldable(summary: string, text: string, open = false): HTMLDetailsElement {
  const details = h("details", "sfn-fold", h("summary", "", summary), h("pre", "sfn-pre", text));
  details.open = open;
  return details;
}
