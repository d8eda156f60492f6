/**
 * Where the cursor is in a state machine's text, in ASL terms: typing a field name or a field's
 * value, in which object (the machine, a Task state, a Catch rule, a JSONata Choice rule ...),
 * under which query language, and which state names that object can reach.
 *
 * Works on half-typed text. JSON goes through jsonc-parser's tolerant scanner. For YAML, the
 * word being typed is replaced by a placeholder so the line parses, and the placeholder is found
 * in the parsed document. No DOM, no JupyterLab: vitest runs it in plain Node.
 */
import { getLocation, parse as parseJson } from 'jsonc-parser';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';

import type { SourceFormat } from './locate';

export type Segment = string | number;

export interface ICursor {
  /** 'key': typing a field name; 'value': typing the value of `key`. */
  kind: 'key' | 'value';
  /** The path of the object whose key (or key's value) is typed. */
  objectPath: Segment[];
  /** The field whose value is typed (kind 'value'). */
  key?: string;
  /** What has been typed of the key or value, without quotes. */
  prefix: string;
  /** The range a completion replaces: the whole word under the cursor, inside its quotes. */
  from: number;
  to: number;
  quoted: boolean;
  /** The text of the line before the cursor (for expression-level completion). */
  before: string;
  /** The text after `to` on the same line. */
  after: string;
  /** The document as data, read tolerantly (may lack the half-typed part). */
  data: unknown;
}

const PLACEHOLDER = '__sfn_cursor__';
const WORD = /[\w.$-]/;

/** The cursor at `pos`, or null where no field or value is being typed. */
export function cursorAt(text: string, pos: number, format: SourceFormat): ICursor | null {
  return format === 'json' ? jsonCursor(text, pos) : yamlCursor(text, pos);
}

function lineBounds(text: string, pos: number): [number, number] {
  const start = text.lastIndexOf('\n', pos - 1) + 1;
  const nl = text.indexOf('\n', pos);
  return [start, nl < 0 ? text.length : nl];
}

/** The start of the string `pos` is in on its line (after the opening quote), or -1. */
function openQuote(line: string, column: number, quote = '"'): number {
  let open = -1;
  for (let i = 0; i < column; i++) {
    const c = line[i];
    if (c === '\\' && open >= 0) {
      i++;
    } else if (c === quote) {
      open = open >= 0 ? -1 : i + 1;
    }
  }
  return open;
}

function jsonCursor(text: string, pos: number): ICursor | null {
  const [lineStart, lineEnd] = lineBounds(text, pos);
  const line = text.slice(lineStart, lineEnd);
  const column = pos - lineStart;
  const open = openQuote(line, column);
  let from: number;
  let to: number;
  const quoted = open >= 0;
  if (quoted) {
    from = lineStart + open;
    const close = line.indexOf('"', column);
    to = close < 0 ? pos : lineStart + close;
  } else {
    from = pos;
    while (from > lineStart && WORD.test(text[from - 1])) {
      from--;
    }
    to = pos;
    while (to < lineEnd && WORD.test(text[to])) {
      to++;
    }
  }
  const location = getLocation(text, pos);
  const path = location.path as Segment[];
  const data = jsonData(text);
  const common = {
    prefix: text.slice(from, pos),
    from,
    to,
    quoted,
    before: line.slice(0, column),
    after: text.slice(to, lineEnd),
    data
  };
  if (location.isAtPropertyKey) {
    return { kind: 'key', objectPath: path.slice(0, -1), ...common };
  }
  const key = path[path.length - 1];
  if (typeof key !== 'string') {
    // An array element; the array's key names what it holds.
    const owner = path[path.length - 2];
    return typeof owner === 'string'
      ? { kind: 'value', objectPath: path.slice(0, -2), key: owner, ...common }
      : null;
  }
  if (!quoted && !/:\s*[\w.$-]*$/.test(line.slice(0, column)) && from === pos && !common.prefix) {
    // Between properties, not after a colon: a new key is due (jsonc reports the last one).
    const inObject = /[{,]\s*$/.test(text.slice(0, pos).replace(/\s+$/, '') + ' ');
    if (inObject) {
      return { kind: 'key', objectPath: path.slice(0, -1), ...common };
    }
  }
  return { kind: 'value', objectPath: path.slice(0, -1), key, ...common };
}

function yamlCursor(text: string, pos: number): ICursor | null {
  const [lineStart, lineEnd] = lineBounds(text, pos);
  const line = text.slice(lineStart, lineEnd);
  const column = pos - lineStart;
  const before = line.slice(0, column);
  if (/(^|\s)#/.test(before.replace(/"[^"]*"|'[^']*'/g, '""'))) {
    return null; // in a comment
  }
  // The segment being typed: after the indentation and "- " markers, or after a flow map's
  // "{" or ",".
  const rest = before.replace(/^\s*(?:-\s+)*/, '');
  // Quoted text (a JSONata "{% ... %}" too) is not flow syntax.
  const bare = rest.replace(/"[^"]*"|'[^']*'/g, quoted => 'x'.repeat(quoted.length));
  const flow = bare.includes('{') ? Math.max(bare.lastIndexOf('{'), bare.lastIndexOf(',')) : -1;
  const segment = flow >= 0 ? rest.slice(flow + 1).replace(/^\s+/, '') : rest;
  const colon = segment.search(/:(\s|$)/);
  let kind: 'key' | 'value';
  let key: string | undefined;
  let from: number;
  let quoted = false;
  if (colon >= 0 && /:\s/.test(segment.slice(colon, colon + 2))) {
    kind = 'value';
    key = unquote(segment.slice(0, colon).trim());
    let value = segment.slice(colon + 1).replace(/^\s+/, '');
    if (/^["']/.test(value)) {
      quoted = true;
      value = value.slice(1);
    }
    from = pos - value.length;
  } else if (colon < 0 && /^[\w.$-]*$/.test(segment)) {
    kind = 'key';
    from = pos - segment.length;
  } else {
    return null;
  }
  let to = pos;
  const tail = line.slice(column);
  if (kind === 'key') {
    to += /^[\w.$-]*/.exec(tail)![0].length;
  } else if (quoted) {
    const close = tail.search(/["']/);
    to += close < 0 ? 0 : close;
  } else {
    // A plain scalar runs to a comment, or (in a flow map) to the next "," or "}".
    const end = tail.search(flow >= 0 ? /[,}\]]|\s#/ : /\s#/);
    to += (end < 0 ? tail : tail.slice(0, end)).replace(/\s+$/, '').length;
  }
  const after = text.slice(to, lineEnd);
  // Parse with a placeholder where the cursor is, and find it to learn the path.
  const filler =
    kind === 'key' ? (/^\s*:/.test(after) ? PLACEHOLDER : `${PLACEHOLDER}: 0`) : PLACEHOLDER;
  const repaired = text.slice(0, from) + filler + text.slice(to);
  let data: unknown;
  let found: Segment[] | null = null;
  try {
    const cursorLine = countLines(text, lineStart);
    const doc = parseDocument(outline(repaired, cursorLine), { uniqueKeys: false });
    found = findPlaceholder(doc.contents, kind, []);
    data = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return null;
  }
  if (!found) {
    return null;
  }
  const common = {
    prefix: text.slice(from, pos),
    from,
    to,
    quoted,
    before,
    after,
    data
  };
  if (kind === 'key') {
    return { kind, objectPath: found, ...common };
  }
  const last = found[found.length - 1];
  if (typeof last === 'number') {
    const owner = found[found.length - 2];
    return typeof owner === 'string'
      ? { kind, objectPath: found.slice(0, -2), key: owner, ...common }
      : null;
  }
  return { kind, objectPath: found.slice(0, -1), key: key ?? String(last), ...common };
}

/** The document as data: JSON.parse when the text is valid (fast), else the tolerant parser. */
function jsonData(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return parseJson(text, [], { allowTrailingComma: true, disallowComments: false });
  }
}

function countLines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) {
    n++;
  }
  return n;
}

/**
 * The YAML text with the bodies of the top-level states the cursor is not in left out (their
 * name lines stay): completion needs the other states' names, not their fields, and parsing a
 * 500-state file on every keystroke would take a good part of a second. Only the structure
 * matters here (the placeholder is found by value), so the left-out lines are dropped.
 */
export function outline(text: string, cursorLine: number): string {
  const lines = text.split('\n');
  const start = lines.findIndex(line => /^States\s*:\s*(#.*)?$/.test(line));
  if (start < 0) {
    return text;
  }
  const indent = (line: string) => line.length - line.trimStart().length;
  const content = (line: string) => line.trim() !== '' && !line.trimStart().startsWith('#');
  let end = start + 1;
  let stateIndent = -1;
  while (end < lines.length) {
    const line = lines[end];
    if (content(line)) {
      if (indent(line) === 0) {
        break; // the next top-level key
      }
      if (stateIndent < 0) {
        stateIndent = indent(line);
      }
    }
    end++;
  }
  if (stateIndent <= 0) {
    return text;
  }
  const isHeader = (i: number) => content(lines[i]) && indent(lines[i]) <= stateIndent;
  // The cursor's state, if it is in one: from its name line to the next state's.
  let from = -1;
  let to = -1;
  if (cursorLine > start && cursorLine < end) {
    from = cursorLine;
    while (from > start + 1 && !isHeader(from)) {
      from--;
    }
    to = cursorLine + 1;
    while (to < end && !isHeader(to)) {
      to++;
    }
  }
  const kept: string[] = lines.slice(0, start + 1);
  for (let i = start + 1; i < end; i++) {
    if ((i >= from && i < to) || isHeader(i)) {
      kept.push(lines[i]);
    }
  }
  kept.push(...lines.slice(end));
  return kept.join('\n');
}

function unquote(text: string): string {
  return /^(["']).*\1$/.test(text) ? text.slice(1, -1) : text;
}

/** The path to the placeholder key's map (kind 'key') or to the placeholder value. */
function findPlaceholder(node: unknown, kind: 'key' | 'value', path: Segment[]): Segment[] | null {
  if (isMap(node)) {
    for (const pair of node.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (kind === 'key' && name === PLACEHOLDER) {
        return path;
      }
      if (kind === 'value' && isScalar(pair.value) && pair.value.value === PLACEHOLDER) {
        return [...path, name];
      }
      const inner = findPlaceholder(pair.value, kind, [...path, name]);
      if (inner) {
        return inner;
      }
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const item = node.items[i];
      if (kind === 'value' && isScalar(item) && item.value === PLACEHOLDER) {
        return [...path, i];
      }
      const inner = findPlaceholder(item, kind, [...path, i]);
      if (inner) {
        return inner;
      }
    }
  }
  return null;
}

/** What an object of the document is, in ASL terms. */
export interface IObjectContext {
  /**
   * A state type ('Task' ... 'Map'), 'State' (type not known yet), 'Machine', 'Branch',
   * 'ItemProcessor', 'ProcessorConfig', 'ItemReader', 'ReaderConfig', 'ResultWriter',
   * 'WriterConfig', 'Retrier', 'Catcher', 'ChoiceRule', 'NestedChoiceRule',
   * 'JSONataChoiceRule', or 'Payload' (user data: Parameters, Arguments, Assign ...).
   */
  kind: string;
  /** The query language in force: 'JSONPath' or 'JSONata'. */
  language: string;
  /** The state names the object can transition to (its machine's or branch's states). */
  stateNames: string[];
  /** The object itself, as far as the text has it. */
  object: Record<string, unknown> | undefined;
}

export const STATE_TYPES = ['Task', 'Pass', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map'];

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function languageOf(value: unknown, fallback: string): string {
  return value === 'JSONata' || value === 'JSONPath' ? value : fallback;
}

/** Walk `path` from the document root, tracking the object kind, query language and scope. */
export function objectContext(data: unknown, path: readonly Segment[]): IObjectContext {
  let node: unknown = data;
  let kind = 'Machine';
  const top = languageOf(record(data)?.QueryLanguage, 'JSONPath');
  let language = top;
  let scope = record(data);
  for (const segment of path) {
    const next: unknown = (node as Record<string | number, unknown> | undefined)?.[segment];
    const name = String(segment);
    switch (kind) {
      case 'Machine':
      case 'Branch':
      case 'ItemProcessor':
        kind =
          name === 'States'
            ? 'States'
            : name === 'ProcessorConfig' && kind === 'ItemProcessor'
              ? 'ProcessorConfig'
              : 'Payload';
        break;
      case 'States': {
        const type = record(next)?.Type;
        kind = typeof type === 'string' && STATE_TYPES.includes(type) ? type : 'State';
        language = languageOf(record(next)?.QueryLanguage, top);
        break;
      }
      case 'CatchList':
        kind = 'Catcher';
        break;
      case 'RetryList':
        kind = 'Retrier';
        break;
      case 'BranchList':
        kind = 'Branch';
        scope = record(next);
        break;
      case 'ChoiceList':
        kind = language === 'JSONata' ? 'JSONataChoiceRule' : 'ChoiceRule';
        break;
      case 'RuleList':
        kind = 'NestedChoiceRule';
        break;
      case 'ChoiceRule':
      case 'NestedChoiceRule':
        kind = name === 'And' || name === 'Or' ? 'RuleList' : name === 'Not' ? 'NestedChoiceRule' : 'Payload';
        break;
      case 'ItemReader':
        kind = name === 'ReaderConfig' ? 'ReaderConfig' : 'Payload';
        break;
      case 'ResultWriter':
        kind = name === 'WriterConfig' ? 'WriterConfig' : 'Payload';
        break;
      default:
        if (STATE_TYPES.includes(kind) || kind === 'State') {
          const sub: Record<string, string> = {
            Catch: 'CatchList',
            Retry: 'RetryList',
            Choices: 'ChoiceList',
            Branches: 'BranchList',
            ItemProcessor: 'ItemProcessor',
            Iterator: 'ItemProcessor',
            ItemReader: 'ItemReader',
            ResultWriter: 'ResultWriter'
          };
          kind = sub[name] ?? 'Payload';
          if (kind === 'ItemProcessor') {
            scope = record(next);
          }
        } else {
          kind = 'Payload';
        }
    }
    node = next;
  }
  const states = record(scope?.States);
  return {
    kind,
    language,
    stateNames: states ? Object.keys(states).filter(n => n !== PLACEHOLDER) : [],
    object: record(node)
  };
}

/** Whether a key is the placeholder this module parses with (never a real field). */
export function isPlaceholder(key: string): boolean {
  return key === PLACEHOLDER;
}
