/**
 * DOT → a sanitised SVG element, laid out in the browser by Graphviz compiled to WASM.
 *
 * The DOT comes from the server (the notebook's renderer), so the drawing is the notebook's.
 * The SVG is parsed as XML and inserted as nodes, never as HTML, so a state called
 * `<img onerror=…>` stays text; anything executable that still shows up is stripped.
 */
import type { Graphviz } from '@hpcc-js/wasm-graphviz';

let graphviz: Promise<Graphviz> | undefined;

/** Load the WASM module once, on first use: it is ~800 KB and most pages never need it. */
function getGraphviz(): Promise<Graphviz> {
  if (!graphviz) {
    graphviz = import('@hpcc-js/wasm-graphviz').then(m => m.Graphviz.load());
  }
  return graphviz;
}

/** Lay out DOT text as SVG text. Rejects with Graphviz's message on a DOT syntax error. */
export async function dotToSvgText(dot: string): Promise<string> {
  return (await getGraphviz()).dot(dot, 'svg');
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const FORBIDDEN = ['script', 'foreignObject', 'iframe', 'object', 'embed', 'style', 'image'];

/** Parse SVG text into an element owned by `doc`, with scripts and event handlers removed. */
export function parseSvg(svgText: string, doc: Document = document): SVGSVGElement {
  const parsed = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const root = parsed.documentElement;
  if (root.namespaceURI !== SVG_NS || root.localName !== 'svg') {
    throw new Error('Graphviz did not produce SVG');
  }
  sanitizeSvg(root);
  return doc.importNode(root, true) as unknown as SVGSVGElement;
}

/** Remove elements and attributes that could run code or load content. */
export function sanitizeSvg(root: Element): void {
  for (const name of FORBIDDEN) {
    for (const el of Array.from(root.getElementsByTagNameNS('*', name))) {
      el.remove();
    }
  }
  const all = [root, ...Array.from(root.getElementsByTagName('*'))];
  for (const el of all) {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.localName.toLowerCase();
      const value = attr.value.trim().toLowerCase();
      if (name.startsWith('on') || (name === 'href' && !value.startsWith('#'))) {
        el.removeAttributeNode(attr);
      }
    }
    // Graphviz wraps nodes with a URL/tooltip in <a>; keep the tooltip, drop the link target.
    el.removeAttribute('target');
  }
}

/** Graph nodes by node id, read from the `<title>` Graphviz writes into each `g.node`. */
export function graphNodes(svg: Element): Map<string, SVGGElement> {
  const nodes = new Map<string, SVGGElement>();
  for (const g of Array.from(svg.querySelectorAll('g.node'))) {
    const title = g.querySelector(':scope > title');
    if (title?.textContent) {
      nodes.set(title.textContent, g as SVGGElement);
    }
  }
  return nodes;
}

/** Render DOT into `host` (replacing its content) and return the SVG element. */
export async function renderDot(host: HTMLElement, dot: string): Promise<SVGSVGElement> {
  const svg = parseSvg(await dotToSvgText(dot), host.ownerDocument);
  // Keep Graphviz's natural width as the largest size (a two-state graph should not fill the
  // screen) but let CSS shrink it to the panel; the height follows the viewBox's aspect ratio.
  svg.removeAttribute('height');
  host.replaceChildren(svg);
  return svg;
}
