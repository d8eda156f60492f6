/**
 * Keep hostile DOT attributes away from Graphviz.
 *
 * A graph output (`application/vnd.sfn-notebook.graph+json`) in a saved notebook is untrusted
 * text, and Graphviz copies some attributes into its SVG unescaped (`fontname`, `stylesheet`) or
 * makes them links and file reads (`URL`, `href`, `image`, `shapefile`, `fontpath` ...). Before
 * the browser lays out DOT, every `name=value` assignment is checked against a fixed set of
 * attributes, each with a pattern for its value; assignments outside it are dropped (the graph
 * is still drawn, with Graphviz's default for what was dropped) and reported. HTML-like labels
 * (`<...>`) are refused the same way. The SVG is sanitized afterwards as well (svgsafe.ts).
 *
 * DOT assigns attributes only with `=` (in `[...]` lists and as `name=value` statements), so
 * checking the two tokens around every `=` covers them all.
 *
 *     guardDot('digraph { a [label="A", fontname="x\\"><meta/>"] }').refused
 *     // -> ['fontname']
 */

/** What a value must look like, per attribute. */
const NUMBER = /^-?(\d{1,3}(\.\d*)?|\.\d+)$/;
const POINT = /^-?(\d{1,3}(\.\d*)?|\.\d+)(,-?(\d{1,3}(\.\d*)?|\.\d+))?$/;
const COLOUR = /^(#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?|#[0-9A-Fa-f]{3}|[A-Za-z]{1,30}[0-9]{0,2})$/;
const FONT = /^[A-Za-z0-9 ,._-]{1,64}$/;
const NAME = /^[A-Za-z0-9 _./~:-]{0,200}$/;
const STYLE = /^[a-z]+(\s*,\s*[a-z]+)*$/;
const TEXT = /^[^]{0,2000}$/;
const BOOL = /^(true|false|TRUE|FALSE|0|1)$/;
const RANKS = /^\d{1,2}$/;
const RANKDIR = /^(TB|LR|BT|RL)$/;
const SHAPE =
  /^(box|rect|rectangle|square|ellipse|oval|circle|doublecircle|point|diamond|hexagon|octagon|plaintext|plain|none|note|tab|folder|component|cylinder|parallelogram|trapezium|house|invhouse|triangle|invtriangle|Mrecord|record)$/;

/** The attributes the browser lets through to Graphviz, with the pattern for their values. */
export const DOT_ATTRIBUTES: ReadonlyMap<string, RegExp> = new Map([
  ['label', TEXT],
  ['xlabel', TEXT],
  ['tooltip', TEXT],
  ['id', NAME],
  ['class', NAME],
  ['shape', SHAPE],
  ['style', STYLE],
  ['color', COLOUR],
  ['fillcolor', COLOUR],
  ['fontcolor', COLOUR],
  ['bgcolor', COLOUR],
  ['fontname', FONT],
  ['fontsize', NUMBER],
  ['penwidth', NUMBER],
  ['arrowsize', NUMBER],
  ['width', NUMBER],
  ['height', NUMBER],
  ['peripheries', NUMBER],
  ['nodesep', NUMBER],
  ['ranksep', NUMBER],
  ['pad', POINT],
  ['margin', POINT],
  ['fixedsize', BOOL],
  // A Catch leaving a Map/Parallel spans two ranks, so its label clears the container (dot.py).
  ['minlen', RANKS],
  ['rankdir', RANKDIR]
]);

/** One lexical token of DOT: its kind and its source text. */
interface Token {
  kind: 'id' | 'string' | 'html' | 'punct' | 'space';
  text: string;
  /** For `id`/`string`: the value DOT sees (quotes and `\"` escapes removed). */
  value?: string;
}

const PATTERNS: [Token['kind'], RegExp][] = [
  ['space', /\s+|\/\/[^\n]*|\/\*[^]*?\*\/|#[^\n]*/y],
  ['string', /"(?:[^"\\]|\\[^])*"/y],
  ['id', /-?(?:\.\d+|\d+(?:\.\d*)?)|[A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*/y],
  ['punct', /->|--|[{}[\];,=:+]/y]
];

/** Split DOT into tokens; throws on text DOT cannot contain (an unterminated string ...). */
export function tokenize(dot: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < dot.length) {
    if (dot[at] === '<') {
      const end = htmlEnd(dot, at);
      tokens.push({ kind: 'html', text: dot.slice(at, end) });
      at = end;
      continue;
    }
    let matched = false;
    for (const [kind, pattern] of PATTERNS) {
      pattern.lastIndex = at;
      const found = pattern.exec(dot);
      if (found && found[0].length > 0) {
        // A `#` line is a C preprocessor line only at the start of a line.
        if (kind === 'space' && found[0][0] === '#' && at > 0 && dot[at - 1] !== '\n') {
          continue;
        }
        const text = found[0];
        const token: Token = { kind, text };
        if (kind === 'string') {
          token.value = text.slice(1, -1).replace(/\\\n/g, '').replace(/\\"/g, '"');
        } else if (kind === 'id') {
          token.value = text;
        }
        tokens.push(token);
        at += text.length;
        matched = true;
        break;
      }
    }
    if (!matched) {
      throw new Error(`unexpected ${JSON.stringify(dot[at])} at offset ${at} of the DOT text`);
    }
  }
  return tokens;
}

/** The end of an HTML string `<...>` starting at `start` (angle brackets nest). */
function htmlEnd(dot: string, start: number): number {
  let depth = 0;
  for (let i = start; i < dot.length; i++) {
    if (dot[i] === '<') {
      depth++;
    } else if (dot[i] === '>' && --depth === 0) {
      return i + 1;
    }
  }
  throw new Error('unterminated <...> in the DOT text');
}

/** Graphs past this size would freeze the tab in the layout; the server's are far smaller. */
export const MAX_DOT = 2_000_000;

/** The DOT to lay out and the attribute names that were dropped from it. */
export interface GuardedDot {
  dot: string;
  refused: string[];
}

/**
 * `dot` with every attribute assignment outside {@link DOT_ATTRIBUTES} removed.
 *
 *     guardDot('digraph { a [URL="javascript:x", label="A"] }').dot
 *     // -> 'digraph { a [ label="A"] }'
 */
export function guardDot(dot: string): GuardedDot {
  if (dot.length > MAX_DOT) {
    throw new Error(`the DOT text is longer than ${MAX_DOT} characters`);
  }
  const tokens = tokenize(dot);
  const significant = tokens
    .map((token, index) => ({ token, index }))
    .filter(({ token }) => token.kind !== 'space');
  const drop = new Set<number>();
  const refused: string[] = [];
  for (let i = 0; i < significant.length; i++) {
    const { token } = significant[i];
    if (token.kind === 'html' && !(i > 0 && significant[i - 1].token.text === '=')) {
      throw new Error('HTML-like IDs (<...>) are not allowed in graph outputs');
    }
    if (token.text !== '=') {
      continue;
    }
    const name = significant[i - 1];
    // The value, joined over `"a" + "b"` concatenations.
    let last = i + 1;
    let value = significant[last]?.token.value;
    while (
      value !== undefined &&
      significant[last + 1]?.token.text === '+' &&
      significant[last + 2]?.token.kind === 'string'
    ) {
      last += 2;
      value += significant[last].token.value;
    }
    if (!name || name.token.value === undefined || last >= significant.length) {
      throw new Error('an attribute assignment without a name or a value in the DOT text');
    }
    const pattern = DOT_ATTRIBUTES.get(name.token.value);
    if (pattern && value !== undefined && pattern.test(value)) {
      continue;
    }
    refused.push(name.token.value);
    // Drop `name = value` and the separator after it (`a=1, , b=2` would not parse).
    const following = significant[last + 1];
    const end =
      following && (following.token.text === ',' || following.token.text === ';')
        ? following.index
        : significant[last].index;
    for (let k = name.index; k <= end; k++) {
      drop.add(k);
    }
  }
  if (!refused.length) {
    return { dot, refused };
  }
  return {
    dot: tokens.map((token, index) => (drop.has(index) ? ' ' : token.text)).join(''),
    refused
  };
}
