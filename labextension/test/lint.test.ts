import { describe, expect, it } from 'vitest';

import type { IDiagnostic } from '../src/api';
import { mapDiagnostics, outlinedNodes } from '../src/diagnostics';
import { minimalEdit, formatText, FormatError } from '../src/format';
import { lintDiagnostics, lintRange, lintSeverity } from '../src/lint';
import { SourceIndex } from '../src/locate';

const diag = (over: Partial<IDiagnostic>): IDiagnostic => ({
  severity: 'ERROR',
  code: 'CODE',
  message: 'message',
  location: '/',
  ...over
});

/** The underlined text of each diagnostic. */
function underlined(text: string, format: 'json' | 'yaml', diagnostics: IDiagnostic[]): string[] {
  const index = new SourceIndex(text, format);
  return lintDiagnostics(index, mapDiagnostics(index, diagnostics, [])).map(d =>
    text.slice(d.from, d.to)
  );
}

const YAML_TEXT = `StartAt: A
States:
  A:
    Type: Pass
    Next: Nowhere
  B:
    Type: Pass
    Output: '{% $states.input.a + %}'
  C:
    Type: Task
`;

const JSON_TEXT = `{
  "StartAt": "A",
  "States": {
    "A": {"Type": "Pass", "Next": "Nowhere"},
    "B": {"Type": "Pass", "Output": "{% $states.input.a + %}", "End": true}
  }
}`;

describe('lintRange', () => {
  it('underlines the value of the named field', () => {
    const found = diag({ code: 'MISSING_TRANSITION_TARGET', location: '/States/A/Next' });
    expect(underlined(YAML_TEXT, 'yaml', [found])).toEqual(['Nowhere']);
    expect(underlined(JSON_TEXT, 'json', [found])).toEqual(['"Nowhere"']);
  });

  it('underlines the key of the state that lacks a field', () => {
    const found = diag({ code: 'MISSING_REQUIRED_FIELD', location: '/States/C/Resource' });
    expect(underlined(YAML_TEXT, 'yaml', [found])).toEqual(['C']);
  });

  it('underlines the key of a state the finding is about, not the whole state', () => {
    const found = diag({ code: 'MISSING_TRANSITION_TARGET', location: '/States/B' });
    expect(underlined(YAML_TEXT, 'yaml', [found])).toEqual(['B']);
    expect(underlined(JSON_TEXT, 'json', [found])).toEqual(['"B"']);
  });

  it('underlines the one character an expression error names', () => {
    const snippet = '{% $states.input.a + %}';
    const found = diag({ location: '/States/B/Output', column: 22, snippet });
    expect(underlined(YAML_TEXT, 'yaml', [found])).toEqual(['%']);
    expect(underlined(JSON_TEXT, 'json', [found])).toEqual(['%']);
    const [d] = lintDiagnostics(
      new SourceIndex(JSON_TEXT, 'json'),
      mapDiagnostics(new SourceIndex(JSON_TEXT, 'json'), [found], [])
    );
    expect(d.from).toBe(JSON_TEXT.indexOf(snippet) + 21);
  });

  it('underlines the character a syntax error names, on its line', () => {
    const text = '{\n  "StartAt": "A"\n  "States": {}\n}';
    const found = diag({ code: 'INVALID_JSON_DESCRIPTION', line: 3, column: 3 });
    expect(underlined(text, 'json', [found])).toEqual(['"']);
    const index = new SourceIndex(text, 'json');
    const [mapped] = mapDiagnostics(index, [found], []);
    expect([mapped.line, mapped.column, mapped.pointed]).toEqual([2, 2, true]);
    // A column past the end of the line stays on that line.
    const pastEnd = diag({ code: 'INVALID_JSON_DESCRIPTION', line: 2, column: 99 });
    const [from, to] = lintRange(index, mapDiagnostics(index, [pastEnd], [])[0]);
    expect(index.position(from).line).toBe(1);
    expect(to).toBe(from);
  });

  it('underlines only the first line for a finding about the whole document', () => {
    expect(underlined(YAML_TEXT, 'yaml', [diag({ location: '' })])).toEqual(['StartAt: A']);
  });

  it('stays inside the text when the text is shorter than the finding assumed', () => {
    const index = new SourceIndex('{}', 'json');
    const [mapped] = mapDiagnostics(index, [diag({ line: 9, column: 40 })], []);
    const [from, to] = lintRange(index, mapped);
    expect(from).toBeLessThanOrEqual(2);
    expect(to).toBeLessThanOrEqual(2);
  });
});

describe('lintDiagnostics', () => {
  it('carries severity, code and message', () => {
    const index = new SourceIndex(YAML_TEXT, 'yaml');
    const found = [
      diag({ code: 'MISSING_TRANSITION_TARGET', message: 'no Nowhere', location: '/States/A/Next' }),
      diag({ severity: 'WARNING', code: 'W', location: '/States/B' }),
      diag({ severity: 'INFO', code: 'SUBSTITUTION', location: '/States/A/Type' })
    ];
    const result = lintDiagnostics(index, mapDiagnostics(index, found, []));
    expect(result.map(d => d.severity)).toEqual(['error', 'warning', 'info']);
    expect(result[0].message).toBe('MISSING_TRANSITION_TARGET: no Nowhere');
    expect(result[0].source).toBe('sfn');
    expect(lintSeverity('SOMETHING')).toBe('warning');
  });
});

describe('formatText', () => {
  it('indents JSON, keeping key order and number spellings', () => {
    const text = '{"b":1.50,"a":[1,2],"c":{"d":true}}';
    expect(formatText(text, 'json')).toBe(
      '{\n  "b": 1.50,\n  "a": [\n    1,\n    2\n  ],\n  "c": {\n    "d": true\n  }\n}\n'
    );
  });

  it('re-indents YAML and keeps comments', () => {
    const text = '# top\nStartAt: A\nStates:\n    A: {Type: Pass,   End: true}  # inline\n';
    const out = formatText(text, 'yaml');
    expect(out).toContain('# top');
    expect(out).toContain('# inline');
    expect(out).toMatch(/^States:\n {2}A:/m);
  });

  it('refuses text that does not parse, naming the line', () => {
    expect(() => formatText('{\n"a": 1\n"b": 2}', 'json')).toThrow(FormatError);
    expect(() => formatText('{\n"a": 1\n"b": 2}', 'json')).toThrow(/line 3/);
    expect(() => formatText('a: [\n', 'yaml')).toThrow(FormatError);
  });
});

describe('minimalEdit', () => {
  it('replaces only what differs', () => {
    expect(minimalEdit('abcXdef', 'abcYYdef')).toEqual([3, 4, 'YY']);
    expect(minimalEdit('same', 'same')).toBeUndefined();
    expect(minimalEdit('aa', 'aaa')).toEqual([2, 2, 'a']);
    const before = '{"a":1}';
    const after = '{\n  "a": 1\n}\n';
    const [from, to, insert] = minimalEdit(before, after)!;
    expect(before.slice(0, from) + insert + before.slice(to)).toBe(after);
  });
});

describe('outlinedNodes', () => {
  it('does not outline a state for an INFO note', () => {
    const index = new SourceIndex(YAML_TEXT, 'yaml');
    const states = [{ name: 'A', pointer: '/States/A', type: 'Pass', node: 'a' }];
    const info = diag({ severity: 'INFO', location: '/States/A/Next' });
    expect(outlinedNodes(mapDiagnostics(index, [info], states)).size).toBe(0);
    const error = diag({ location: '/States/A/Next' });
    expect(outlinedNodes(mapDiagnostics(index, [info, error], states)).get('a')).toBe('error');
  });
});
