/**
 * Placed diagnostics → CodeMirror lint ranges: what the editor underlines.
 *
 * A finding about a field underlines the field's value (`Next: Nowhere` → `Nowhere`); a missing
 * field underlines the key of the object that lacks it, a finding about a whole object (a state)
 * that object's key; an expression error underlines the
 * character the expression parser names; a syntax error the character the JSON/YAML parser
 * names. Pure functions over a {@link SourceIndex}, so vitest checks them without a browser.
 */
import type { Diagnostic as LintDiagnostic } from '@codemirror/lint';

import type { IMappedDiagnostic } from './diagnostics';
import { parsePointer, SourceIndex } from './locate';

/** The lint source name, shown in hover tooltips beside the code. */
export const LINT_SOURCE = 'sfn';

/** ERROR / WARNING / INFO (any other text counts as a warning). */
export function lintSeverity(severity: string): LintDiagnostic['severity'] {
  switch (severity) {
    case 'ERROR':
      return 'error';
    case 'INFO':
      return 'info';
    default:
      return 'warning';
  }
}

/** `[from, to)` offsets for one placed diagnostic, clamped to the text. */
export function lintRange(index: SourceIndex, d: IMappedDiagnostic): [number, number] {
  const length = index.text.length;
  const clamp = (n: number) => Math.max(0, Math.min(n, length));
  const at = clamp(index.offset(d.line, d.column));
  if (d.pointed) {
    // One character, or the end of the line when the parser points past its last one.
    const end = index.text.indexOf('\n', at);
    return [at, clamp(Math.min(at + 1, end < 0 ? length : end))];
  }
  const where = index.locate(d.location);
  if (parsePointer(d.location).length === 0) {
    // About the whole document: underline its first line, not all of it.
    const end = index.text.indexOf('\n', at);
    return [at, end < 0 ? length : Math.max(end, at)];
  }
  if (where.exact && where.valueRange) {
    const [from, to] = where.valueRange;
    const value = index.text.slice(from, to);
    // A finding about a whole object or list (a state "is not reachable") marks its key, not
    // every line of it.
    if (!/^[[{]/.test(value) && !value.includes('\n')) {
      return [clamp(from), clamp(to)];
    }
  }
  // A missing field: the key of the deepest object that exists, where the field belongs.
  // (And the key of an object or list the finding is about.)
  return [clamp(where.offset), clamp(Math.max(where.endOffset, where.offset))];
}

/** The CodeMirror diagnostics for a set of placed findings. */
export function lintDiagnostics(
  index: SourceIndex,
  mapped: readonly IMappedDiagnostic[]
): LintDiagnostic[] {
  return mapped.map(d => {
    const [from, to] = lintRange(index, d);
    return {
      from,
      to,
      severity: lintSeverity(d.severity),
      source: LINT_SOURCE,
      message: `${d.code}: ${d.message}`
    };
  });
}
