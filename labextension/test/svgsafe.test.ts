// @vitest-environment jsdom
// The browser's SVG sanitizer on the cases Python's runs too (tests/fixtures/svg_sanitize.json),
// and its allowlists against Python's.
import { readFileSync } from 'fs';
import { join } from 'path';
import { describe, expect, it } from 'vitest';

import {
  SVG_ATTRIBUTES,
  SVG_ELEMENTS,
  parseSafeSvg,
  safeAttribute,
  svgTree,
  type SvgTree
} from '../src/svgsafe';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = JSON.parse(
  readFileSync(join(ROOT, 'tests', 'fixtures', 'svg_sanitize.json'), 'utf8')
) as { cases: { name: string; svg: string; expect: SvgTree | null }[] };

describe('parseSafeSvg', () => {
  it('has the shared cases', () => {
    expect(FIXTURES.cases.length).toBeGreaterThan(10);
  });

  for (const c of FIXTURES.cases) {
    it(c.name, () => {
      const svg = parseSafeSvg(c.svg, document);
      expect(svg === null ? null : svgTree(svg)).toEqual(c.expect);
    });
  }

  it('returns an element of the target document that can be inserted', () => {
    const svg = parseSafeSvg(FIXTURES.cases[0].svg, document);
    expect(svg?.ownerDocument).toBe(document);
    document.body.append(svg!);
    expect(document.querySelector('g.node title')?.textContent).toBe('/States/A');
  });
});

describe('safeAttribute', () => {
  it.each([
    ['fill', 'url(#l_0)', true],
    ['fill', 'url(http://127.0.0.1/b)', false],
    ['fill', 'u\\72l(http://127.0.0.1/b)', false],
    ['href', '#node', true],
    ['href', 'javascript:alert(1)', false],
    ['xlink:href', '//evil.example/x', false],
    ['style', 'font-weight:bold', true],
    ['style', 'background:url(x)', false],
    ['style', 'x:y;/**/@import "a"', false],
    ['onload', 'x', false],
    ['xlink:title', 'Retry: a (x) "quoted"', true]
  ])('%s=%s → %s', (name, value, ok) => {
    expect(safeAttribute(name, value)).toBe(ok);
  });
});

describe('allowlists', () => {
  // sfn_notebook/render/svgsafe.py must follow the same lists.
  const python = readFileSync(join(ROOT, 'sfn_notebook', 'render', 'svgsafe.py'), 'utf8');
  const pythonSet = (name: string): string[] => {
    const found = new RegExp(`${name} = frozenset\\(\\{([^}]*)\\}\\)`).exec(python);
    expect(found, name).not.toBeNull();
    return Array.from(found![1].matchAll(/"([^"]+)"/g), m => m[1]).sort();
  };

  it('keeps the same elements as Python', () => {
    expect(Array.from(SVG_ELEMENTS).sort()).toEqual(pythonSet('SVG_ELEMENTS'));
  });

  it('keeps the same attributes as Python', () => {
    expect(Array.from(SVG_ATTRIBUTES).sort()).toEqual(pythonSet('SVG_ATTRIBUTES'));
  });
});
