import { describe, expect, it } from 'vitest';

import type { IDiagnostic, IStateInfo } from '../src/api';
import {
  formatDiagnostic,
  mapDiagnostics,
  outlinedNodes,
  stateAtOffset,
  stateForPointer
} from '../src/diagnostics';
import { SourceIndex } from '../src/locate';

const state = (name: string, pointer: string): IStateInfo => ({
  name,
  pointer,
  type: 'Pass',
  node: `node:${pointer}`
});

const STATES = [
  state('A', '/States/A'),
  state('AB', '/States/AB'),
  state('P', '/States/P'),
  state('X', '/States/P/Branches/0/States/X')
];

const YAML_TEXT = `StartAt: A
States:
  A:
    Type: Pass
    Next: Nope
  AB:
    Type: Pass
    Parameters:
      x.$: States.Format('{}', $.a
    End: true
  P:
    Type: Parallel
    Branches:
      - StartAt: X
        States:
          X: {Type: Pass, End: true}
    End: true
`;

const diag = (code: string, location: string, extra: Partial<IDiagnostic> = {}): IDiagnostic => ({
  severity: 'ERROR',
  code,
  message: `${code} message`,
  location,
  ...extra
});

describe('stateForPointer', () => {
  it('picks the innermost state', () => {
    expect(stateForPointer(STATES, '/States/P/Branches/0/States/X/End')?.name).toBe('X');
    expect(stateForPointer(STATES, '/States/P/Branches/0')?.name).toBe('P');
  });
  it('does not let a name prefix claim another state', () => {
    expect(stateForPointer(STATES, '/States/AB/Next')?.name).toBe('AB');
    expect(stateForPointer(STATES, '/States/A')?.name).toBe('A');
  });
  it('returns nothing for definition-level findings', () => {
    expect(stateForPointer(STATES, '')).toBeUndefined();
    expect(stateForPointer(STATES, '/StartAt')).toBeUndefined();
  });
});

describe('mapDiagnostics', () => {
  const index = new SourceIndex(YAML_TEXT, 'yaml');

  it('maps a missing transition target to the Next line and its state', () => {
    const [m] = mapDiagnostics(index, [diag('MISSING_TRANSITION_TARGET', '/States/A/Next')], STATES);
    expect(m).toMatchObject({ line: 4, column: 4, exact: true });
    expect(m.state?.name).toBe('A');
  });

  it('finds a template expression by its snippet (located at the template object)', () => {
    // What sfn.validate reports for this text: the column is 1-based inside the snippet.
    const snippet = "States.Format('{}', $.a";
    const [m] = mapDiagnostics(
      index,
      [diag('SCHEMA_VALIDATION_FAILED', '/States/AB/Parameters', { column: 24, snippet })],
      STATES
    );
    const line = YAML_TEXT.split('\n')[m.line];
    expect(m.line).toBe(8);
    expect(line.slice(m.column - 3)).toBe('$.a');
    expect(m.state?.name).toBe('AB');
  });

  it('counts the column from the located string when the snippet is not verbatim', () => {
    const [m] = mapDiagnostics(
      index,
      [diag('SCHEMA_VALIDATION_FAILED', '/States/AB/Parameters/x.$', { column: 15 })],
      STATES
    );
    const line = YAML_TEXT.split('\n')[m.line];
    expect(line.slice(m.column)).toBe("'{}', $.a");
  });

  it('skips the opening quote of a quoted JSON string', () => {
    const text = '{"States": {"A": {"Type": "Pass", "OutputPath": "$.a..b"}}}';
    const [m] = mapDiagnostics(
      new SourceIndex(text, 'json'),
      [diag('SCHEMA_VALIDATION_FAILED', '/States/A/OutputPath', { column: 4 })],
      STATES
    );
    expect(text.slice(m.column)).toMatch(/^\.\.b"/);
  });

  it('maps root findings to the first line without a state', () => {
    const [m] = mapDiagnostics(index, [diag('MISSING_END_STATE', '')], STATES);
    expect(m).toMatchObject({ line: 0, exact: true });
    expect(m.state).toBeUndefined();
  });

  it('keeps the nearest line for a missing field', () => {
    const [m] = mapDiagnostics(index, [diag('SCHEMA_VALIDATION_FAILED', '/States/P/Retry/0')], STATES);
    expect(m).toMatchObject({ line: 10, exact: false });
    expect(m.state?.name).toBe('P');
  });
});

describe('outlinedNodes', () => {
  it('keeps the worst severity per node', () => {
    const index = new SourceIndex(YAML_TEXT, 'yaml');
    const mapped = mapDiagnostics(
      index,
      [
        diag('W', '/States/A/Next', { severity: 'WARNING' }),
        diag('E', '/States/A/Type'),
        diag('W', '/States/A/Next', { severity: 'WARNING' }),
        diag('W', '/States/AB', { severity: 'WARNING' }),
        diag('E', '')
      ],
      STATES
    );
    expect(Object.fromEntries(outlinedNodes(mapped))).toEqual({
      'node:/States/A': 'error',
      'node:/States/AB': 'warning'
    });
  });
});

describe('stateAtOffset', () => {
  it('finds the innermost state around the cursor', () => {
    const index = new SourceIndex(YAML_TEXT, 'yaml');
    const at = (needle: string) => YAML_TEXT.indexOf(needle);
    expect(stateAtOffset(index, STATES, at('Next: Nope'))?.name).toBe('A');
    expect(stateAtOffset(index, STATES, at('X: {Type'))?.name).toBe('X');
    expect(stateAtOffset(index, STATES, at('Branches'))?.name).toBe('P');
    expect(stateAtOffset(index, STATES, 0)).toBeUndefined();
  });
});

describe('formatDiagnostic', () => {
  it('reads like the CLI', () => {
    expect(formatDiagnostic(diag('MISSING_END_STATE', ''))).toBe('/: MISSING_END_STATE MISSING_END_STATE message');
  });
});
