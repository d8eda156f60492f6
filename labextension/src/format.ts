/**
 * Format document: JSON with jsonc-parser's formatter, YAML through the `yaml` package's
 * document model, so key order, comments (YAML) and number spellings are kept.
 *
 * Text that does not parse is not touched: the caller reports {@link FormatError}'s message.
 */
import { applyEdits, format as formatJson, ParseError, printParseErrorCode, parseTree } from 'jsonc-parser';
import { parseDocument } from 'yaml';

import type { SourceFormat } from './locate';

export class FormatError extends Error {}

/**
 * The formatted text.
 *
 * ```ts
 * formatText('{"StartAt":"A"}', 'json'); // '{\n  "StartAt": "A"\n}\n'
 * ```
 */
export function formatText(text: string, format: SourceFormat, indent = 2): string {
  return format === 'json' ? formatJsonText(text, indent) : formatYamlText(text, indent);
}

function formatJsonText(text: string, indent: number): string {
  const errors: ParseError[] = [];
  parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length) {
    const first = errors[0];
    const line = text.slice(0, first.offset).split('\n').length;
    throw new FormatError(`Not formatted: ${printParseErrorCode(first.error)} at line ${line}`);
  }
  const edits = formatJson(text, undefined, {
    tabSize: indent,
    insertSpaces: true,
    eol: '\n',
    insertFinalNewline: true
  });
  return applyEdits(text, edits);
}

function formatYamlText(text: string, indent: number): string {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    const first = doc.errors[0];
    const line = first.linePos?.[0].line;
    throw new FormatError(`Not formatted: ${first.code}${line ? ` at line ${line}` : ''}`);
  }
  // lineWidth 0: never fold long strings (an ARN or a JSONata expression stays on its line).
  return doc.toString({ indent, lineWidth: 0, indentSeq: true });
}

/**
 * The smallest single replacement turning `before` into `after`: `[from, to, insert]`, or
 * undefined when they are equal. Applying one small edit keeps the cursor and the undo step.
 */
export function minimalEdit(before: string, after: string): [number, number, string] | undefined {
  if (before === after) {
    return undefined;
  }
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before[start] === after[start]) {
    start++;
  }
  let end = 0;
  while (
    end < max - start &&
    before[before.length - 1 - end] === after[after.length - 1 - end]
  ) {
    end++;
  }
  return [start, before.length - end, after.slice(start, after.length - end)];
}
