/**
 * The one SVG sanitizer of the browser side, shared by the JupyterLab extension (this folder)
 * and the notebook widgets (widgets/src imports this file; esbuild bundles it from here).
 *
 * SVG reaches the page from Graphviz (laid out here from DOT, or in Python) and Graphviz copies
 * some DOT attributes (`fontname`, `stylesheet`) into its output unescaped, so a crafted graph
 * output in an untrusted notebook could carry markup. The SVG is therefore parsed as XML (never
 * HTML) and rebuilt from an allowlist: SVG elements Graphviz draws with, presentation attributes,
 * and no way to load anything — links only to `#ids` in the document, `url()` only as
 * `url(#id)`, no `<style>`, `<script>`, `<foreignObject>`, `<image>`, `<use>` or event handlers.
 *
 * sfn_notebook/render/svgsafe.py follows the same lists (a test compares them) and both run the
 * cases of tests/fixtures/svg_sanitize.json.
 *
 *     const svg = parseSafeSvg('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', document);
 *     svg?.childElementCount === 0;
 */

export const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** Elements kept (SVG namespace only); anything else is removed with its content. */
export const SVG_ELEMENTS: ReadonlySet<string> = new Set([
  'svg', 'g', 'title', 'desc', 'a', 'path', 'polygon', 'polyline', 'ellipse', 'circle', 'rect',
  'line', 'text', 'tspan', 'defs', 'linearGradient', 'radialGradient', 'stop', 'clipPath'
]);

/** Attributes kept (`xlink:` and `xml:` spell their namespace); the rest are removed. */
export const SVG_ATTRIBUTES: ReadonlySet<string> = new Set([
  'id', 'class', 'width', 'height', 'viewBox', 'preserveAspectRatio', 'transform',
  'x', 'y', 'x1', 'y1', 'x2', 'y2', 'cx', 'cy', 'r', 'rx', 'ry', 'fx', 'fy', 'd', 'points',
  'fill', 'fill-opacity', 'fill-rule', 'stroke', 'stroke-width', 'stroke-dasharray',
  'stroke-opacity', 'stroke-linecap', 'stroke-linejoin', 'opacity', 'clip-path',
  'text-anchor', 'font-family', 'font-size', 'font-weight', 'font-style', 'text-decoration',
  'baseline-shift', 'offset', 'stop-color', 'stop-opacity', 'gradientUnits',
  'gradientTransform', 'style', 'href', 'xlink:href', 'xlink:title', 'xml:space'
]);

/** Links may only point inside the document. */
const LOCAL_REF = /^#[^\s()'"<>\\]+$/;
/** The only `url(...)` allowed anywhere: a gradient or clip path of this document. */
const URL_CALL = /url\s*\(/i;
const LOCAL_URL = /^url\(#[^\s()'"<>\\]+\)$/i;
/** Inline CSS: plain declarations only (no functions, escapes, at-rules, comments or URLs). */
const SAFE_STYLE = /^[A-Za-z0-9\s:;#.,%'"_-]*$/;
/** Attribute values that are text, never read as CSS or a URL. */
const TEXT_ATTRIBUTES: ReadonlySet<string> = new Set(['id', 'class', 'xlink:title']);

/** The attribute's name as the allowlist spells it, or null for a foreign namespace. */
function qualifiedName(attr: Attr): string | null {
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

/**
 * Whether an attribute may stay: `name` is the allowlist spelling.
 *
 *     safeAttribute('fill', 'url(#g1)') === true; safeAttribute('fill', 'url(http://x)') === false
 */
export function safeAttribute(name: string, value: string): boolean {
  if (!SVG_ATTRIBUTES.has(name)) {
    return false;
  }
  if (TEXT_ATTRIBUTES.has(name)) {
    return true;
  }
  const trimmed = value.trim();
  if (name === 'href' || name === 'xlink:href') {
    return LOCAL_REF.test(trimmed);
  }
  if (name === 'xml:space') {
    return trimmed === 'preserve' || trimmed === 'default';
  }
  if (name === 'style') {
    return SAFE_STYLE.test(value);
  }
  // Presentation attributes are parsed as CSS: a backslash could spell `url(` in escapes.
  if (value.indexOf('\\') >= 0) {
    return false;
  }
  return !URL_CALL.test(value) || LOCAL_URL.test(trimmed);
}

/**
 * Sanitize `root` in place (an element of an XML document, e.g. from DOMParser): remove
 * elements and attributes outside the allowlists, comments and processing instructions.
 */
export function sanitizeSvg(root: Element): void {
  const attributes = Array.from(root.attributes);
  for (const attr of attributes) {
    if (attr.namespaceURI === XMLNS_NS) {
      // Namespace declarations; only the two the kept elements and attributes use.
      if (attr.value !== SVG_NS && attr.value !== XLINK_NS) {
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
      const el = child as Element;
      if (el.namespaceURI === SVG_NS && SVG_ELEMENTS.has(el.localName)) {
        sanitizeSvg(el);
      } else {
        el.remove();
      }
    } else if (child.nodeType !== 3 && child.nodeType !== 4) {
      child.parentNode?.removeChild(child); // comments, processing instructions
    }
  }
}

/**
 * Parse SVG text as XML and return its sanitized `<svg>` element, imported into `doc`; null
 * when the text is empty or not an SVG document. Anything before `<svg` (Graphviz's XML
 * declaration, DOCTYPE, `<?xml-stylesheet?>`) is dropped before parsing.
 */
export function parseSafeSvg(text: string, doc: Document): SVGSVGElement | null {
  // Parsing from the root on also means no DOCTYPE, so no entity can be declared (or expanded).
  const start = text.search(/<svg[\s>]/);
  if (start < 0) {
    return null;
  }
  const parsed = new DOMParser().parseFromString(text.slice(start), 'image/svg+xml');
  const root = parsed.documentElement;
  if (
    !root ||
    root.namespaceURI !== SVG_NS ||
    root.localName !== 'svg' ||
    parsed.getElementsByTagName('parsererror').length > 0
  ) {
    return null;
  }
  sanitizeSvg(root);
  return doc.importNode(root, true) as unknown as SVGSVGElement;
}

/** A sanitized tree as plain data (`[name, attributes, ...children]`): what the tests compare. */
export type SvgTree = [string, Record<string, string>, ...(SvgTree | string)[]];

/** The element's tree with namespace declarations left out and blank text dropped. */
export function svgTree(el: Element): SvgTree {
  const attrs: Record<string, string> = {};
  for (const attr of Array.from(el.attributes)) {
    const name = qualifiedName(attr);
    if (name !== null && attr.namespaceURI !== XMLNS_NS && name !== 'xmlns') {
      attrs[name] = attr.value;
    }
  }
  const tree: SvgTree = [el.localName, attrs];
  let text = ''; // adjacent text nodes (left apart by a removed element) count as one
  const flush = (): void => {
    if (text.trim()) {
      tree.push(text.trim());
    }
    text = '';
  };
  for (const child of Array.from(el.childNodes)) {
    if (child.nodeType === 1) {
      flush();
      tree.push(svgTree(child as Element));
    } else if (child.nodeType === 3 || child.nodeType === 4) {
      text += child.textContent ?? '';
    }
  }
  flush();
  return tree;
}
