// The attribute guard in front of Graphviz: our own DOT passes untouched, hostile attributes are
// dropped (and named), and what is left is still DOT.
import { readFileSync } from 'fs';
import { join } from 'path';
import { describe, expect, it } from 'vitest';

import { DOT_ATTRIBUTES, MAX_DOT, guardDot, tokenize } from '../src/dotguard';

// DOT written by sfn_notebook's renderers (tests/test_svgsafe.py keeps this file current).
const SAMPLES = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'tests', 'fixtures', 'graph_dot.json'), 'utf8')
) as Record<string, string>;

/** `name=value` pairs of a DOT text, values unquoted, in order. */
function assignments(dot: string): [string, string][] {
  const tokens = tokenize(dot).filter(t => t.kind !== 'space');
  const out: [string, string][] = [];
  tokens.forEach((t, i) => {
    if (t.text === '=') {
      out.push([tokens[i - 1].value ?? '', tokens[i + 1].value ?? tokens[i + 1].text]);
    }
  });
  return out;
}

describe('guardDot on our own graphs', () => {
  for (const [name, dot] of Object.entries(SAMPLES)) {
    it(`lets ${name} through unchanged`, () => {
      expect(guardDot(dot)).toEqual({ dot, refused: [] });
      expect(assignments(dot).length).toBeGreaterThan(20);
    });
  }
});

describe('guardDot on hostile graphs', () => {
  const hostile = [
    'digraph {',
    '  stylesheet="x.css\\"?><meta http-equiv=\\"refresh\\" content=\\"0\\"/>";',
    '  graph [fontname="Helvetica\\" style=\\"background:url(http://127.0.0.1:9/b)", label="G"];',
    '  a [URL="javascript:alert(1)", label="A", href="http://127.0.0.1:9/", image="x.png"];',
    '  b [label=<<b>html</b>>, shape=box, fontname="Helvetica"];',
    '  "c" [ "fontname" = "x" + "\\"><script>" ; color="#ff0000"];',
    '  a -> b [labelURL="http://x", label="edge"]; b -> c',
    '  fontpath="/etc"; imagepath="/"',
    '}'
  ].join('\n');

  it('drops every attribute outside the set and names it', () => {
    const { dot, refused } = guardDot(hostile);
    expect(refused).toEqual([
      'stylesheet', 'fontname', 'URL', 'href', 'image', 'label', 'fontname', 'labelURL',
      'fontpath', 'imagepath'
    ]);
    const left = assignments(dot);
    expect(left).toEqual([
      ['label', 'G'], ['label', 'A'], ['shape', 'box'], ['fontname', 'Helvetica'],
      ['color', '#ff0000'], ['label', 'edge']
    ]);
    for (const word of ['meta', 'script', 'javascript', 'url(', 'x.png', '<b>']) {
      expect(dot).not.toContain(word);
    }
    // Still DOT: every list and statement closes, no dangling separators.
    expect(dot).not.toMatch(/[[,;]\s*[,;]/);
    expect(tokenize(dot).length).toBeGreaterThan(10);
  });

  it('checks values, not only names', () => {
    const dot = 'digraph { a [color="red\\" onload=\\"x", fillcolor="#ffffff", width=99999, fontsize=10] }';
    expect(guardDot(dot).refused).toEqual(['color', 'width']);
  });

  it('treats a quoted name like a bare one', () => {
    expect(guardDot('digraph { a ["URL"="javascript:x"] }').refused).toEqual(['URL']);
  });

  it('refuses an HTML-like node id', () => {
    expect(() => guardDot('digraph { <<img src=x>> }')).toThrow(/HTML-like/);
  });

  it('rejects text that is not DOT and very long text', () => {
    expect(() => guardDot('digraph { a [label="open }')).toThrow(/unexpected/);
    expect(() => guardDot(`digraph { a [label="${'x'.repeat(MAX_DOT)}"] }`)).toThrow(/longer/);
  });

  it('skips comments and preprocessor lines', () => {
    const dot = '# 1 "x"\ndigraph { /* URL="x" */ a // href="y"\n [label="a=b"] }';
    expect(guardDot(dot)).toEqual({ dot, refused: [] });
  });

  it('has a pattern for each attribute it allows', () => {
    for (const [name, pattern] of DOT_ATTRIBUTES) {
      expect(pattern, name).toBeInstanceOf(RegExp);
    }
    expect(DOT_ATTRIBUTES.has('fontname')).toBe(true);
    for (const name of ['stylesheet', 'URL', 'href', 'image', 'shapefile', 'fontpath', 'charset']) {
      expect(DOT_ATTRIBUTES.has(name), name).toBe(false);
    }
  });
});
