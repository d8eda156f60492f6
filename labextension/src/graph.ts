/**
 * DOT → a sanitised SVG element, laid out in the browser by Graphviz compiled to WASM.
 *
 * The DOT comes from the server (the editor's graph) or from a notebook output, which may be
 * untrusted: attributes outside a fixed set are dropped before Graphviz sees them (dotguard.ts),
 * and the SVG Graphviz writes is parsed as XML and rebuilt from an allowlist (svgsafe.ts), so a
 * state called `<img onerror=…>` stays text and nothing can load or run.
 */
import type { Graphviz } from '@hpcc-js/wasm-graphviz';

import { guardDot } from './dotguard';
import { parseSafeSvg } from './svgsafe';

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

/** Parse SVG text into a sanitized element owned by `doc`. */
export function parseSvg(svgText: string, doc: Document = document): SVGSVGElement {
  const svg = parseSafeSvg(svgText, doc);
  if (!svg) {
    throw new Error('Graphviz did not produce SVG');
  }
  return svg;
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

/**
 * Render DOT into `host` (replacing its content) and return the SVG element. The names of
 * attributes that were refused are listed in the SVG's `data-refused` attribute.
 */
export async function renderDot(host: HTMLElement, dot: string): Promise<SVGSVGElement> {
  const guarded = guardDot(dot);
  const svg = parseSvg(await dotToSvgText(guarded.dot), host.ownerDocument);
  // Keep Graphviz's natural width as the largest size (a two-state graph should not fill the
  // screen) but let CSS shrink it to the panel; the height follows the viewBox's aspect ratio.
  svg.removeAttribute('height');
  if (guarded.refused.length) {
    svg.dataset.refused = Array.from(new Set(guarded.refused)).join(' ');
  }
  host.replaceChildren(svg);
  return svg;
}
