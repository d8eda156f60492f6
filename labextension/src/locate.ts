/**
 * JSON pointers → places in the editor's text, for JSON and YAML.
 *
 * The server speaks JSON pointers (`/States/Fetch/Next`); the editor speaks lines and columns.
 * Both parsers used here are error tolerant, so a pointer still lands near the right line while
 * the text is half-typed and does not parse. Nothing here touches the DOM or JupyterLab, so the
 * unit tests run in plain Node.
 */
import { Node as JsonNode, parseTree } from 'jsonc-parser';
import { isMap, isScalar, isSeq, LineCounter, Node as YamlNode, parseDocument } from 'yaml';

export type SourceFormat = 'json' | 'yaml';

/** A place in the text: 0-based line and column as CodeEditor.IPosition, plus offsets. */
export interface ISourceLocation {
  line: number;
  column: number;
  /** Offset of the located key (or array element, or the document start). */
  offset: number;
  /** Offset just past the located key, so the editor can select the name. */
  endOffset: number;
  /** Where the value at the located pointer starts and ends, if there is one. */
  valueRange?: [number, number];
  /** True when the value of the located key is a quoted JSON/YAML string. */
  valueQuoted?: boolean;
  /** The longest prefix of the requested pointer that exists in the text. */
  pointer: string;
  /** Whether the whole requested pointer exists. */
  exact: boolean;
}

/**
 * Which syntax a file is in: by extension first, then by its first character, as the Python
 * loader does (text starting with `{` or `[` is JSON, anything else YAML).
 */
export function formatOf(path: string, text: string): SourceFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) {
    return 'json';
  }
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) {
    return 'yaml';
  }
  return /^\s*[[{]/.test(text) ? 'json' : 'yaml';
}

/**
 * The tokens of a JSON pointer (RFC 6901). The validator writes the root as `''` or `'/'`;
 * both mean the whole document here.
 */
export function parsePointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') {
    return [];
  }
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map(token => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Build a pointer from tokens, escaping `~` and `/`. */
export function joinPointer(tokens: readonly string[]): string {
  return tokens.map(t => '/' + t.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** One key or element found while walking a pointer. */
interface IStep {
  keyStart: number;
  keyEnd: number;
  value?: [number, number];
  quoted?: boolean;
}

/** A parsed text that answers pointer look-ups; build one per text revision and reuse it. */
export class SourceIndex {
  constructor(text: string, format: SourceFormat) {
    this.text = text;
    this.format = format;
    this._lineStarts = lineStarts(text);
    if (format === 'json') {
      this._json = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
    } else {
      // YAML 1.2 core schema, like PyYAML's safe_load for everything ASL uses.
      this._yaml = parseDocument(text, { lineCounter: new LineCounter(), keepSourceTokens: false })
        .contents as YamlNode | null;
    }
  }

  readonly text: string;
  readonly format: SourceFormat;

  /** Where `pointer` is, or the deepest existing part of it. */
  locate(pointer: string): ISourceLocation {
    const tokens = parsePointer(pointer);
    const steps = this.format === 'json' ? this._walkJson(tokens) : this._walkYaml(tokens);
    const last = steps[steps.length - 1];
    const offset = last ? last.keyStart : firstContentOffset(this.text);
    const { line, column } = this.position(offset);
    return {
      line,
      column,
      offset,
      endOffset: last ? last.keyEnd : offset,
      valueRange: last ? last.value : this._rootRange(),
      valueQuoted: last?.quoted,
      pointer: joinPointer(tokens.slice(0, steps.length)),
      exact: steps.length === tokens.length
    };
  }

  /** 0-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    const starts = this._lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return { line: lo, column: offset - starts[lo] };
  }

  /** Offset of a 0-based line and column (clamped to the text). */
  offset(line: number, column: number): number {
    const starts = this._lineStarts;
    const l = Math.max(0, Math.min(line, starts.length - 1));
    return Math.min(starts[l] + Math.max(0, column), this.text.length);
  }

  private _rootRange(): [number, number] | undefined {
    if (this._json) {
      return [this._json.offset, this._json.offset + this._json.length];
    }
    const range = this._yaml?.range;
    return range ? [range[0], range[2]] : undefined;
  }

  private _walkJson(tokens: string[]): IStep[] {
    const steps: IStep[] = [];
    let node: JsonNode | undefined = this._json;
    for (const token of tokens) {
      if (!node) {
        break;
      }
      let next: IStep | undefined;
      let child: JsonNode | undefined;
      if (node.type === 'object') {
        // The last duplicate wins, as in JSON.parse and Python's json.loads.
        const props: JsonNode[] = (node.children ?? []).filter(
          (p: JsonNode) => p.children?.[0]?.value === token
        );
        const prop = props[props.length - 1];
        if (prop) {
          const key = prop.children![0];
          child = prop.children![1];
          next = { keyStart: key.offset, keyEnd: key.offset + key.length };
        }
      } else if (node.type === 'array' && /^\d+$/.test(token)) {
        child = node.children?.[Number(token)];
        if (child) {
          next = { keyStart: child.offset, keyEnd: child.offset + child.length };
        }
      }
      if (!next) {
        break;
      }
      if (child) {
        next.value = [child.offset, child.offset + child.length];
        next.quoted = child.type === 'string';
      }
      steps.push(next);
      node = child;
    }
    return steps;
  }

  private _walkYaml(tokens: string[]): IStep[] {
    const steps: IStep[] = [];
    let node: YamlNode | null | undefined = this._yaml;
    for (const token of tokens) {
      let next: IStep | undefined;
      let child: YamlNode | null | undefined;
      if (isMap(node)) {
        const pairs = node.items.filter(p => keyText(p.key) === token);
        const pair = pairs[pairs.length - 1];
        const key = pair?.key as YamlNode | undefined;
        if (pair && key?.range) {
          child = pair.value as YamlNode | null;
          next = { keyStart: key.range[0], keyEnd: key.range[1] };
        }
      } else if (isSeq(node) && /^\d+$/.test(token)) {
        child = node.items[Number(token)] as YamlNode | undefined;
        if (child?.range) {
          next = { keyStart: child.range[0], keyEnd: child.range[1] };
        }
      }
      if (!next) {
        break;
      }
      if (child?.range) {
        next.value = [child.range[0], child.range[1]];
        next.quoted =
          isScalar(child) && (child.type === 'QUOTE_DOUBLE' || child.type === 'QUOTE_SINGLE');
      }
      steps.push(next);
      node = child;
    }
    return steps;
  }

  private _lineStarts: number[];
  private _json?: JsonNode;
  private _yaml?: YamlNode | null;
}

/** The text of a YAML key as PyYAML would turn it into a JSON key. */
function keyText(key: unknown): string | undefined {
  if (isScalar(key)) {
    return String(key.value);
  }
  return typeof key === 'string' ? key : undefined;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      starts.push(i + 1);
    }
  }
  return starts;
}

/** Skip a leading comment block so "the document" points at its first real line. */
function firstContentOffset(text: string): number {
  const match = /^(?:\s*(?:#[^\n]*)?\n)*\s*/.exec(text);
  return match ? Math.min(match[0].length, text.length) : 0;
}
