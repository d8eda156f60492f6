// DOM helpers. Text from the kernel (state names, payloads, errors) only ever reaches the page as
// textContent or attribute values, never as HTML; the one exception, the graph's SVG, goes through
// parseSafeSvg (labextension/src/svgsafe.ts, the sanitizer the JupyterLab extension uses too).

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

/** A collapsible block of preformatted text (payloads, definitions, causes). */
export function foldable(summary: string, text: string, open = false): HTMLDetailsElement {
  const details = h("details", "sfn-fold", h("summary", "", summary), h("pre", "sfn-pre", text));
  details.open = open;
  return details;
}
