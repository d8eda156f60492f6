/**
 * Completion for state machine files (JSON and YAML), as a CodeMirror 6 completion source.
 *
 * - field names valid for the object under the cursor (state type, Catch/Retry rule, Choice
 *   rule, Map reader ...) in its query language, minus those already there;
 * - state names for `Next`, `Default`, `StartAt` and a Catch rule's `Next`;
 * - the accepted values of enum fields (`Type`, `QueryLanguage`, `JitterStrategy` ...);
 * - `Resource` ARNs of the integrations the engine runs;
 * - `States.*` intrinsics with their arity in JSONPath templates (`"key.$"`);
 * - in JSONata `{% %}` expressions: `$states` and its members, the variables the document
 *   assigns (`Assign`), and AWS's extra functions.
 *
 * {@link aslCompletions} is pure (text, cursor, catalog in; options out) for the unit tests;
 * {@link aslCompletionSource} adapts it to CodeMirror.
 */
import type { CompletionContext, CompletionResult, CompletionSource } from '@codemirror/autocomplete';

import type { ICatalog, IFieldInfo, IFunctionInfo } from './catalog';
import { cursorAt, ICursor, IObjectContext, isPlaceholder, objectContext, STATE_TYPES } from './context';
import { FIELD_DOCS, INTRINSIC_DOCS, JSONATA_DOCS, KIND_DOCS, operatorDoc, STATES_MEMBERS } from './docs';
import type { SourceFormat } from './locate';

/** One option; the shape of CodeMirror's `Completion` that this module fills. */
export interface IOption {
  label: string;
  /** The text inserted in place of [from, to). */
  apply: string;
  type: 'property' | 'enum' | 'function' | 'variable' | 'constant' | 'text';
  detail?: string;
  info?: string;
  boost?: number;
}

export interface IAslCompletions {
  from: number;
  to: number;
  options: IOption[];
}

/** The completions at `pos`, or null. `explicit`: asked for (Ctrl-Space), not just typing. */
export function aslCompletions(
  text: string,
  pos: number,
  format: SourceFormat,
  catalog: ICatalog,
  explicit = true
): IAslCompletions | null {
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  const before = text.slice(lineStart, pos);
  const expression = expressionCompletions(before, pos, catalog, () =>
    assignedVariables(text, format)
  );
  if (expression) {
    return expression;
  }
  const cursor = cursorAt(text, pos, format);
  if (!cursor) {
    return null;
  }
  const context = objectContext(cursor.data, cursor.objectPath);
  if (context.kind === 'Payload') {
    return null;
  }
  const options =
    cursor.kind === 'key'
      ? explicit || cursor.prefix
        ? keyOptions(cursor, context, format, catalog, text)
        : []
      : valueOptions(cursor, context, format, catalog);
  if (!options.length) {
    return null;
  }
  // A JSON key typed between auto-closed quotes: the completion writes the closing quote and
  // the colon itself, so it replaces the closing quote too.
  const closing = format === 'json' && cursor.kind === 'key' && /^"(?!\s*:)/.test(cursor.after);
  return { from: cursor.from, to: cursor.to + (closing ? 1 : 0), options };
}

/** The fields of an object kind; for a state whose Type is not written yet, every state's. */
export function fieldsOf(kind: string, catalog: ICatalog): IFieldInfo[] {
  if (kind !== 'State') {
    return catalog.objects[kind] ?? [];
  }
  const seen = new Map<string, IFieldInfo>();
  for (const type of STATE_TYPES) {
    for (const field of catalog.objects[type] ?? []) {
      if (!seen.has(field.name)) {
        seen.set(field.name, { ...field, required: field.name === 'Type' });
      }
    }
  }
  return [...seen.values()];
}

/** The doc of a field in an object kind, in our own words (docs.ts). */
export function fieldDoc(kind: string, name: string): string | undefined {
  return KIND_DOCS[kind]?.[name] ?? FIELD_DOCS[name] ?? operatorDoc(name);
}

/** "JSONata only · required · one of A, B" for a field. */
export function fieldMeta(field: IFieldInfo): string {
  const parts: string[] = [];
  if (field.language) {
    parts.push(`${field.language} only`);
  }
  if (field.required) {
    parts.push('required');
  }
  if (field.expression) {
    parts.push('JSONata: may be a {% %} expression');
  }
  if (field.values) {
    parts.push(`one of ${field.values.join(', ')}`);
  }
  return parts.join(' · ');
}

/** Arity as text: "no arguments", "1 argument", "2–3 arguments", "1 or more arguments". */
export function arity(fn: IFunctionInfo): string {
  const { min_args: min, max_args: max } = fn;
  if (max === null) {
    return `${min} or more arguments`;
  }
  if (max === 0) {
    return 'no arguments';
  }
  const n = min === max ? `${max}` : `${min}–${max}`;
  return `${n} argument${max === 1 && min === max ? '' : 's'}`;
}

function keyOptions(
  cursor: ICursor,
  context: IObjectContext,
  format: SourceFormat,
  catalog: ICatalog,
  text: string
): IOption[] {
  const typed = text.slice(cursor.from, cursor.to);
  const present = new Set(
    Object.keys(context.object ?? {}).filter(k => k !== typed && !isPlaceholder(k))
  );
  return fieldsOf(context.kind, catalog)
    .filter(f => !present.has(f.name))
    .filter(f => !f.language || f.language === context.language)
    .map(f => ({
      label: f.name,
      apply: keyText(f.name, cursor, format),
      type: 'property' as const,
      detail: fieldMeta(f) || undefined,
      info: fieldDoc(context.kind, f.name),
      boost: f.required ? 2 : f.name === 'Next' || f.name === 'End' ? 1 : 0
    }));
}

function valueOptions(
  cursor: ICursor,
  context: IObjectContext,
  format: SourceFormat,
  catalog: ICatalog
): IOption[] {
  const key = cursor.key ?? '';
  const scoped = ['Machine', 'Branch', 'ItemProcessor'].includes(context.kind);
  if (key === 'Next' || key === 'Default' || (key === 'StartAt' && scoped)) {
    return context.stateNames.map(name => ({
      label: name,
      apply: stringValue(name, cursor, format),
      type: 'variable' as const,
      detail: 'state'
    }));
  }
  if (key === 'Resource') {
    return [
      ...catalog.resources.map(r => ({
        label: r.arn,
        apply: stringValue(r.arn, cursor, format),
        type: 'constant' as const,
        detail: r.detail
      })),
      {
        label: catalog.lambda_arn_prefix,
        apply: stringValue(catalog.lambda_arn_prefix, cursor, format),
        type: 'text' as const,
        detail: 'a Lambda function (a Python function registered with @sfn.function)',
        boost: 1
      }
    ];
  }
  if (key === 'End') {
    return cursor.quoted ? [] : [{ label: 'true', apply: 'true', type: 'constant' }];
  }
  const field = fieldsOf(context.kind, catalog).find(f => f.name === key);
  return (field?.values ?? []).map(value => ({
    label: value,
    apply: stringValue(value, cursor, format),
    type: 'enum' as const,
    info: key === 'Type' ? undefined : fieldDoc(context.kind, key)
  }));
}

/** What to insert for a field name: with its quotes and colon unless they are there already. */
function keyText(name: string, cursor: ICursor, format: SourceFormat): string {
  if (format === 'json') {
    if (!cursor.quoted) {
      return `"${name}": `;
    }
    // Inside quotes: the closing quote and colon may be there already (else see aslCompletions).
    return /^"\s*:/.test(cursor.after) ? name : `${name}": `;
  }
  return /^\s*:/.test(cursor.after) ? name : `${name}: `;
}

/** A string value as the cursor's syntax needs it. */
function stringValue(value: string, cursor: ICursor, format: SourceFormat): string {
  if (cursor.quoted) {
    return JSON.stringify(value).slice(1, -1);
  }
  if (format === 'json') {
    return JSON.stringify(value);
  }
  // A YAML plain scalar unless it would read as something else (a number, bool, a comment ...).
  const plain =
    /^[A-Za-z_][^:#{}[\],&*!|>'"%@`]*$/.test(value) &&
    !/\s$/.test(value) &&
    !/^(true|false|null|yes|no|on|off|~)$/i.test(value);
  const arn = /^arn:[\w:./*-]*$/.test(value) && !/:\s/.test(value);
  return plain || arn ? value : JSON.stringify(value);
}

/** `$states.…`, `$fn` in a `{% %}` expression; `States.…` in a JSONPath template value. */
function expressionCompletions(
  before: string,
  pos: number,
  catalog: ICatalog,
  variables: () => string[]
): IAslCompletions | null {
  const open = before.lastIndexOf('{%');
  if (open >= 0 && before.indexOf('%}', open) < 0) {
    const member = /\$states\.(\w*)$/.exec(before);
    if (member) {
      return {
        from: pos - member[1].length,
        to: pos,
        options: Object.entries(STATES_MEMBERS).map(([name, doc]) => ({
          label: name,
          apply: name,
          type: 'property',
          info: doc
        }))
      };
    }
    const fn = /\$(\w*)$/.exec(before);
    if (fn) {
      return {
        from: pos - fn[0].length,
        to: pos,
        options: [
          {
            label: '$states',
            apply: '$states',
            type: 'variable',
            detail: 'input, result, errorOutput, context',
            boost: 1
          },
          ...variables().map(name => ({
            label: `$${name}`,
            apply: `$${name}`,
            type: 'variable' as const,
            detail: 'variable (Assign)'
          })),
          ...catalog.jsonata_functions.map(f => ({
            label: `$${f.name}`,
            apply: `$${f.name}(`,
            type: 'function' as const,
            detail: arity(f),
            info: JSONATA_DOCS[f.name]
          }))
        ]
      };
    }
    return null;
  }
  const intrinsic = /(?:^|[^\w.])(States\.\w*)$/.exec(before);
  const template = /\.\$["']?\s*:|(?:Error|Cause)Path["']?\s*:/.test(before);
  if (intrinsic && template) {
    return {
      from: pos - intrinsic[1].length,
      to: pos,
      options: catalog.intrinsics.map(f => ({
        label: f.name,
        apply: `${f.name}(`,
        type: 'function' as const,
        detail: arity(f),
        info: INTRINSIC_DOCS[f.name]
      }))
    };
  }
  return null;
}

/**
 * The names the document assigns as variables (the keys of every `Assign`), sorted. A line scan
 * for YAML (no parse per keystroke); the data for JSON.
 */
export function assignedVariables(text: string, format: SourceFormat): string[] {
  const names = new Set<string>();
  if (format === 'json') {
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) {
        value.forEach(walk);
      } else if (value && typeof value === 'object') {
        for (const [key, item] of Object.entries(value)) {
          if (key === 'Assign' && item && typeof item === 'object' && !Array.isArray(item)) {
            Object.keys(item).forEach(name => names.add(name.replace(/\.\$$/, '')));
          }
          walk(item);
        }
      }
    };
    try {
      walk(JSON.parse(text));
    } catch {
      // Mid-edit JSON: keys quoted after an "Assign" object's brace, found by a scan instead.
      for (const block of matches(text, /"Assign"\s*:\s*\{([^{}]*)/g)) {
        for (const key of matches(block, /"([^"\\]+)"\s*:/g)) {
          names.add(key.replace(/\.\$$/, ''));
        }
      }
    }
  } else {
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      // Flow style, anywhere on the line: Assign: {a: 1, b: 2}.
      for (const block of matches(line, /Assign\s*:\s*\{([^{}]*)/g)) {
        for (const key of matches(block, /(?:^|,)\s*["']?([\w.$-]+?)["']?\s*:/g)) {
          names.add(key.replace(/\.\$$/, ''));
        }
      }
      if (!/^\s*(?:-\s+)?Assign\s*:\s*(#.*)?$/.test(line)) {
        return;
      }
      const base = line.length - line.trimStart().length;
      let childIndent = -1;
      for (let j = i + 1; j < lines.length; j++) {
        const next = lines[j];
        if (!next.trim() || next.trimStart().startsWith('#')) {
          continue;
        }
        const indent = next.length - next.trimStart().length;
        if (indent <= base) {
          break;
        }
        childIndent = childIndent < 0 ? indent : childIndent;
        const key = indent === childIndent && /^\s*["']?([\w.$-]+?)["']?\s*:/.exec(next);
        if (key) {
          names.add(key[1].replace(/\.\$$/, ''));
        }
      }
    });
  }
  return [...names].filter(name => /^\w+$/.test(name)).sort();
}

/** The first group of every match of a global regex. */
function matches(text: string, pattern: RegExp): string[] {
  const found: string[] = [];
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    found.push(m[1]);
  }
  return found;
}

/** The CodeMirror completion source; `catalog` is awaited (it comes from the server). */
export function aslCompletionSource(
  format: () => SourceFormat,
  catalog: () => Promise<ICatalog>
): CompletionSource {
  return async (context: CompletionContext): Promise<CompletionResult | null> => {
    let data: ICatalog;
    try {
      data = await catalog();
    } catch {
      return null;
    }
    const found = aslCompletions(
      context.state.doc.toString(),
      context.pos,
      format(),
      data,
      context.explicit
    );
    if (!found) {
      return null;
    }
    return { from: found.from, to: found.to, options: found.options, validFor: /^[\w.$:-]*$/ };
  };
}
