// @vitest-environment jsdom
// The zoom, pan and fit arithmetic shared by the editor's graph and the notebook widgets, and
// the SVG export's clean-up (which goes through the shared sanitizer).
import { describe, expect, it } from 'vitest';

import { exportSvgText, fileStem, pngScale } from '../src/export';
import {
  MAX_SCALE,
  MIN_FIT,
  MIN_SCALE,
  PX_PER_PT,
  fitScale,
  naturalSize,
  revealScroll,
  stepScale,
  wheelFactor,
  zoomScroll
} from '../src/zoom';

describe('fitScale', () => {
  it('shows a small graph at its natural size, never larger', () => {
    expect(fitScale({ width: 200, height: 150 }, { width: 800, height: 600 })).toEqual({
      scale: 1,
      overflows: false
    });
  });

  it('shrinks a graph that fits readably', () => {
    const fit = fitScale({ width: 1000, height: 600 }, { width: 800, height: 600 });
    expect(fit.scale).toBeCloseTo(0.8);
    expect(fit.overflows).toBe(false);
  });

  it('fits the width of a tall chain and lets it scroll down (100 states: 7,650 px)', () => {
    const fit = fitScale({ width: 240, height: 7650 }, { width: 600, height: 700 });
    expect(fit).toEqual({ scale: 1, overflows: true });
  });

  it('never shrinks labels below the readable minimum (10 branches: 6 px labels before)', () => {
    const fit = fitScale({ width: 2900, height: 900 }, { width: 1300, height: 700 });
    expect(fit.scale).toBe(MIN_FIT);
    expect(fit.overflows).toBe(true);
    // Graphviz's 10 pt state names then show at about 9 CSS px.
    expect(10 * PX_PER_PT * fit.scale).toBeGreaterThanOrEqual(9);
  });

  it('fits the width when that is readable although the height is not', () => {
    const fit = fitScale({ width: 1000, height: 20000 }, { width: 800, height: 700 });
    expect(fit.scale).toBeCloseTo(0.8);
    expect(fit.overflows).toBe(true);
  });

  it('is harmless on an empty box or graph', () => {
    expect(fitScale({ width: 0, height: 0 }, { width: 10, height: 10 }).scale).toBe(1);
    expect(fitScale({ width: 10, height: 10 }, { width: 0, height: 0 }).scale).toBe(1);
  });
});

describe('zooming by hand', () => {
  it('steps up and down by the same factor and stays within the limits', () => {
    expect(stepScale(stepScale(1, 1), -1)).toBeCloseTo(1);
    expect(stepScale(MAX_SCALE, 1)).toBe(MAX_SCALE);
    expect(stepScale(MIN_SCALE, -1)).toBe(MIN_SCALE);
  });

  it('zooms in on wheel up and out on wheel down, pinches gently', () => {
    expect(wheelFactor(-100)).toBeGreaterThan(1);
    expect(wheelFactor(100)).toBeLessThan(1);
    expect(wheelFactor(100) * wheelFactor(-100)).toBeCloseTo(1);
    expect(Math.abs(wheelFactor(-3) - 1)).toBeLessThan(0.02);
    // Lines (Firefox's deltaMode 1) count as 16 px each.
    expect(wheelFactor(3, 1)).toBeCloseTo(wheelFactor(48));
  });

  it('keeps the point under the pointer in place', () => {
    expect(zoomScroll({ left: 0, top: 0 }, { x: 100, y: 50 }, 1, 2)).toEqual({ left: 100, top: 50 });
    const back = zoomScroll({ left: 100, top: 50 }, { x: 100, y: 50 }, 2, 1);
    expect(back).toEqual({ left: 0, top: 0 });
    // The content point under the pointer: (scroll + pointer) / scale, before and after.
    const scroll = { left: 340, top: 1200 };
    const pointer = { x: 210, y: 95 };
    const next = zoomScroll(scroll, pointer, 0.8, 1.3);
    expect((next.left + pointer.x) / 1.3).toBeCloseTo((scroll.left + pointer.x) / 0.8);
    expect((next.top + pointer.y) / 1.3).toBeCloseTo((scroll.top + pointer.y) / 0.8);
  });
});

describe('revealScroll (follow the cursor)', () => {
  const view = { left: 0, top: 0, width: 400, height: 300 };

  it('leaves a visible state alone', () => {
    expect(revealScroll({ x: 50, y: 50, width: 100, height: 40 }, view)).toBeNull();
  });

  it('centres a state below the view', () => {
    expect(revealScroll({ x: 150, y: 2000, width: 100, height: 40 }, view)).toEqual({
      left: 0,
      top: 2020 - 150
    });
  });

  it('never scrolls to negative offsets', () => {
    const next = revealScroll({ x: 0, y: -5, width: 10, height: 10 }, { ...view, top: 500 });
    expect(next).toEqual({ left: 0, top: 0 });
  });
});

const GRAPHVIZ_SVG = `<svg width="62pt" height="116pt" viewBox="0.00 0.00 62.00 116.00"
 xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
<g id="graph0" class="graph" transform="scale(1 1) rotate(0) translate(4 112)">
<polygon fill="none" stroke="none" points="-4,4 -4,-112 58,-112 58,4 -4,4"/>
<g id="/States/A" class="node sfn-state sfn-selected"><title>/States/A</title>
<ellipse fill="#d8f0d5" stroke="#1d8102" cx="27" cy="-90" rx="27" ry="18"/>
<text text-anchor="middle" x="27" y="-86.3">A &lt;b&gt;</text></g>
</g></svg>`;

function drawn(): SVGSVGElement {
  const svg = new DOMParser().parseFromString(GRAPHVIZ_SVG, 'image/svg+xml')
    .documentElement as unknown as SVGSVGElement;
  const host = document.importNode(svg, true) as unknown as SVGSVGElement;
  document.body.append(host);
  return host;
}

describe('naturalSize', () => {
  it('reads Graphviz points as CSS pixels', () => {
    expect(naturalSize(drawn())).toEqual({ width: 62 * PX_PER_PT, height: 116 * PX_PER_PT });
  });

  it('falls back to the viewBox when the page removed width and height', () => {
    const svg = drawn();
    svg.removeAttribute('height');
    expect(naturalSize(svg).height).toBeCloseTo(116 * PX_PER_PT);
  });
});

describe('exportSvgText', () => {
  it('writes a standalone, sanitized SVG at natural size on a white page', () => {
    const svg = drawn();
    svg.style.width = '20px';
    svg.dataset.sfnWidth = `${62 * PX_PER_PT}px`;
    svg.setAttribute('onload', 'alert(1)');
    svg.querySelector('g.node')?.setAttribute('data-status', 'SUCCEEDED');
    const text = exportSvgText(svg);
    expect(text.startsWith('<?xml version="1.0"')).toBe(true);
    const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
    expect(parsed.getElementsByTagName('parsererror').length).toBe(0);
    const root = parsed.documentElement;
    expect(root.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(root.getAttribute('width')).toBe('62pt');
    expect(root.getAttribute('height')).toBe('116pt');
    expect(root.hasAttribute('style')).toBe(false);
    expect(root.hasAttribute('onload')).toBe(false);
    expect(text).not.toContain('data-');
    expect(text).not.toContain('sfn-selected');
    expect(root.querySelector('g.graph > polygon')?.getAttribute('fill')).toBe('#ffffff');
    expect(root.querySelector('ellipse')?.getAttribute('fill')).toBe('#d8f0d5');
    expect(root.querySelector('text')?.textContent).toBe('A <b>');
  });
});

describe('pngScale', () => {
  it('is 2x for ordinary graphs', () => {
    expect(pngScale({ width: 800, height: 600 })).toBe(2);
  });

  it('stays within the canvas limits for a 500-state chain', () => {
    const size = { width: 300, height: 40000 };
    const scale = pngScale(size);
    expect(size.height * scale).toBeLessThanOrEqual(16384);
    expect(size.width * size.height * scale * scale).toBeLessThanOrEqual(16777216);
  });
});

describe('fileStem', () => {
  it('keeps names and drops path separators', () => {
    expect(fileStem('orders/2024: run*1')).toBe('orders_2024_ run_1');
    expect(fileStem('  ')).toBe('state-machine');
  });
});
