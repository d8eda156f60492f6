/**
 * Server diagnostics → editor positions, states to outline, and the state under the cursor.
 *
 * Pure functions over the reply of `/sfn-notebook/api/graph` and a {@link SourceIndex}; the
 * widget only paints what these return.
 */
import type { IDiagnostic, IStateInfo } from './api';
import { SourceIndex } from './locate';

/** A diagnostic with its place in the editor and the state it belongs to (if any). */
export interface IMappedDiagnostic extends IDiagnostic {
  /** 0-based, as CodeEditor.IPosition. */
  line: number;
  column: number;
  /** The innermost state whose pointer contains the location. */
  state?: IStateInfo;
  /** False when the location names a field that is not in the text (e.g. a missing field). */
  exact: boolean;
  /** True when line/column name one character: a syntax error's or an expression error's. */
  pointed: boolean;
}

/**
 * The innermost state containing `pointer`: the longest state pointer that equals it or is
 * followed by `/` in it (so `/States/A` does not claim `/States/AB/Next`).
 */
export function stateForPointer(
  states: readonly IStateInfo[],
  pointer: string
): IStateInfo | undefined {
  let best: IStateInfo | undefined;
  for (const state of states) {
    const p = state.pointer;
    if ((pointer === p || pointer.startsWith(p + '/')) && (!best || p.length > best.pointer.length)) {
      best = state;
    }
  }
  return best;
}

/**
 * Place every diagnostic in the text. An expression finding with a `column` points inside the
 * expression it is about, so the caret lands on the offending character. The validator locates
 * a payload-template expression at its template object (`/States/A/Parameters`), so the
 * expression is found by its `snippet` inside the located value; failing that (escapes in a
 * JSON string), the column counts from the start of the located string, past its quote.
 * A syntax error carries the parser's own `line` (and `column` in that line) instead.
 */
export function mapDiagnostics(
  index: SourceIndex,
  diagnostics: readonly IDiagnostic[],
  states: readonly IStateInfo[]
): IMappedDiagnostic[] {
  return diagnostics.map(d => {
    const where = index.locate(d.location);
    let { line, column } = where;
    let pointed = false;
    if (d.line) {
      // Text that does not parse: the parser's own 1-based line and column.
      // PyYAML may name the column just past a line's end: stay on the named line.
      const start = index.offset(d.line - 1, 0);
      const newline = index.text.indexOf('\n', start);
      const length = (newline < 0 ? index.text.length : newline) - start;
      ({ line } = index.position(start));
      column = Math.min(Math.max(0, (d.column ?? 1) - 1), length);
      pointed = true;
    } else if (d.column && where.valueRange) {
      const [from, to] = where.valueRange;
      let start: number | undefined;
      if (d.snippet) {
        const found = index.text.indexOf(d.snippet, from);
        start = found >= 0 && found < to ? found : undefined;
      }
      if (start === undefined && where.exact) {
        start = from + (where.valueQuoted ? 1 : 0);
      }
      if (start !== undefined) {
        ({ line, column } = index.position(start + d.column - 1));
        pointed = true;
      }
    }
    return {
      ...d,
      line,
      column,
      exact: where.exact,
      pointed,
      state: stateForPointer(states, d.location)
    };
  });
}

export type Severity = 'error' | 'warning';

/** Graph node id → the worst severity among the diagnostics of that state. */
export function outlinedNodes(mapped: readonly IMappedDiagnostic[]): Map<string, Severity> {
  const nodes = new Map<string, Severity>();
  for (const d of mapped) {
    // An INFO note (a ${Name} placeholder) is not a problem with the state.
    if (!d.state || d.severity === 'INFO') {
      continue;
    }
    const severity: Severity = d.severity === 'ERROR' ? 'error' : 'warning';
    if (nodes.get(d.state.node) !== 'error') {
      nodes.set(d.state.node, severity);
    }
  }
  return nodes;
}

/** The innermost state whose definition contains `offset` (for highlighting the cursor's state). */
export function stateAtOffset(
  index: SourceIndex,
  states: readonly IStateInfo[],
  offset: number
): IStateInfo | undefined {
  let best: IStateInfo | undefined;
  for (const state of states) {
    const where = index.locate(state.pointer);
    if (!where.exact) {
      continue;
    }
    const end = where.valueRange ? where.valueRange[1] : where.endOffset;
    if (offset >= where.offset && offset <= end) {
      if (!best || state.pointer.length > best.pointer.length) {
        best = state;
      }
    }
  }
  return best;
}

/** One line per diagnostic, as the CLI prints them (used by the Validate command's summary). */
export function formatDiagnostic(d: IDiagnostic): string {
  return `${d.location || '/'}: ${d.code} ${d.message}`;
}
