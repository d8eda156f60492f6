/**
 * Export a drawn graph as an SVG file or a PNG image: shared by the ASL editor (context menu,
 * command palette) and the notebook widgets' graph (a toolbar button); widgets/src imports this
 * file as it does svgsafe.ts.
 *
 * The export is the graph as drawn — the states' colours included — on Graphviz's white page,
 * whatever the theme (the page's dark-theme colours live in CSS, which is not exported). The SVG
 * text goes through the same allowlist as everything the page shows (svgsafe.ts), so a file made
 * from an untrusted graph carries no script, link or stylesheet either.
 *
 *     const text = exportSvgText(svgElement);            // '<?xml …?>\n<svg …>…</svg>\n'
 *     const png = await exportPng(svgElement);            // a Blob, image/png, 2× when it fits
 */
import { parseSafeSvg, SVG_NS } from './svgsafe';
import { naturalSize } from './zoom';

/** Chromium's and Firefox's largest canvas side; the PNG's scale is lowered to stay under it. */
export const MAX_CANVAS_SIDE = 16384;
/** …and its largest area (pixels); Safari's limit is the lowest of the three browsers. */
export const MAX_CANVAS_AREA = 16777216;

/** Classes and attributes the page adds to a drawn graph that an export leaves out. */
const PAGE_ONLY_CLASSES = [
  'sfn-zoom-svg',
  'sfn-graph-svg',
  'sfn-selected',
  'sfn-mod-current',
  'sfn-mod-flash'
];

/**
 * The scale of a PNG export: `wanted` (2× for sharp text on high-density screens) lowered so
 * the canvas stays within the browser's limits.
 *
 *     pngScale({width: 300, height: 40000})  // 0.4096
 */
export function pngScale(
  size: { width: number; height: number },
  wanted = 2,
  maxSide = MAX_CANVAS_SIDE,
  maxArea = MAX_CANVAS_AREA
): number {
  if (size.width <= 0 || size.height <= 0) {
    return wanted;
  }
  const bySide = maxSide / Math.max(size.width, size.height);
  const byArea = Math.sqrt(maxArea / (size.width * size.height));
  return Math.min(wanted, bySide, byArea);
}

/**
 * A standalone, sanitized copy of `svg` as drawn: Graphviz's page filled white, the natural size
 * in `width`/`height`, the page's zoom and highlight classes removed.
 */
export function exportSvgElement(svg: SVGSVGElement, doc: Document = svg.ownerDocument): SVGSVGElement {
  const natural = naturalSize(svg);
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.removeAttribute('style');
  copy.setAttribute('width', `${round(natural.width * 0.75)}pt`);
  copy.setAttribute('height', `${round(natural.height * 0.75)}pt`);
  for (const el of [copy, ...Array.from(copy.querySelectorAll('*'))]) {
    el.classList.remove(...PAGE_ONLY_CLASSES);
    if (el.getAttribute('class') === '') {
      el.removeAttribute('class');
    }
    for (const attr of Array.from(el.attributes)) {
      if (attr.name.startsWith('data-')) {
        el.removeAttribute(attr.name);
      }
    }
  }
  // The first polygon of the graph group is Graphviz's page (inside a tooltip's link when the
  // graph has one); the widget makes it transparent.
  const page = copy.querySelector('g.graph polygon');
  if (page) {
    page.setAttribute('fill', '#ffffff');
    page.setAttribute('stroke', 'none');
  }
  const safe = parseSafeSvg(new XMLSerializer().serializeToString(copy), doc);
  if (!safe) {
    throw new Error('The graph could not be exported as SVG');
  }
  return safe;
}

/** SVG file text for `svg` (see `exportSvgElement`), with an XML declaration. */
export function exportSvgText(svg: SVGSVGElement): string {
  const el = exportSvgElement(svg);
  if (!el.getAttribute('xmlns')) {
    el.setAttribute('xmlns', SVG_NS);
  }
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n${new XMLSerializer().serializeToString(el)}\n`;
}

/** A PNG of `svg` as drawn, on white, at `pngScale` of its natural size. */
export async function exportPng(svg: SVGSVGElement, wanted = 2): Promise<Blob> {
  const text = exportSvgText(svg);
  const natural = naturalSize(svg);
  const scale = pngScale(natural, wanted);
  const width = Math.max(1, Math.round(natural.width * scale));
  const height = Math.max(1, Math.round(natural.height * scale));
  const doc = svg.ownerDocument;
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.decoding = 'sync';
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('The browser could not draw the graph as an image'));
      image.src = url;
    });
    const canvas = doc.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    if (!context) {
      throw new Error('No 2D canvas in this browser');
    }
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    context.drawImage(image, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob(
        blob => (blob ? resolve(blob) : reject(new Error('The PNG could not be encoded'))),
        'image/png'
      )
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Let the browser save `data` as a file called `name` (a download). */
export function download(data: Blob | string, name: string, type = 'application/octet-stream'): void {
  const blob = typeof data === 'string' ? new Blob([data], { type }) : data;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** A file name from a graph or execution name: no path separators or control characters. */
export function fileStem(name: string, fallback = 'state-machine'): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '_').trim();
  return cleaned.slice(0, 120) || fallback;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
