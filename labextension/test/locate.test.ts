import { describe, expect, it } from 'vitest';

import { formatOf, joinPointer, parsePointer, SourceIndex } from '../src/locate';

const JSON_TEXT = `{
  "Comment": "demo",
  "StartAt": "Fetch",
  "States": {
    "Fetch": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
      "Next": "a/b~c"
    },
    "a/b~c": {"Type": "Pass", "End": true},
    "Fan": {
      "Type": "Parallel",
      "Branches": [
        {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}
      ],
      "End": true
    }
  }
}`;

const YAML_TEXT = `# comment first
StartAt: Fetch
States:
  Fetch:
    Type: Task
    Resource: arn:aws:lambda:us-east-1:123456789012:function:f
    Next: "a/b~c"
  "a/b~c": {Type: Pass, End: true}
  Fan:
    Type: Parallel
    Branches:
      - StartAt: X
        States:
          X:
            Type: Succeed
    End: true
`;

describe('parsePointer / joinPointer', () => {
  it('treats "" and "/" as the root, as the validator writes it', () => {
    expect(parsePointer('')).toEqual([]);
    expect(parsePointer('/')).toEqual([]);
  });
  it('unescapes ~1 and ~0 in that order (RFC 6901)', () => {
    expect(parsePointer('/States/a~1b~0c/Next')).toEqual(['States', 'a/b~c', 'Next']);
    expect(parsePointer('/x/~01')).toEqual(['x', '~1']);
  });
  it('round-trips', () => {
    const tokens = ['States', 'a/b~c', '0'];
    expect(parsePointer(joinPointer(tokens))).toEqual(tokens);
  });
});

describe('formatOf', () => {
  it('goes by extension first', () => {
    expect(formatOf('x/flow.asl.json', 'StartAt: A')).toBe('json');
    expect(formatOf('flow.ASL.YAML', '{}')).toBe('yaml');
    expect(formatOf('flow.yml', '{}')).toBe('yaml');
  });
  it('sniffs the first character otherwise, like the Python loader', () => {
    expect(formatOf('untitled.txt', '  \n{"a": 1}')).toBe('json');
    expect(formatOf('untitled.txt', 'StartAt: A')).toBe('yaml');
  });
});

describe.each([
  ['json', JSON_TEXT],
  ['yaml', YAML_TEXT]
] as const)('SourceIndex (%s)', (format, text) => {
  const index = new SourceIndex(text, format);
  const lineOf = (needle: string) => text.split('\n').findIndex(l => l.includes(needle));

  it('puts a state pointer on the line of its name', () => {
    const where = index.locate('/States/Fetch');
    expect(where.exact).toBe(true);
    expect(where.line).toBe(lineOf('Fetch:') >= 0 ? lineOf('Fetch:') : lineOf('"Fetch": {'));
    expect(text.slice(where.offset, where.endOffset).replace(/"/g, '')).toBe('Fetch');
  });

  it('puts a field pointer on the field line', () => {
    const where = index.locate('/States/Fetch/Next');
    expect(where.exact).toBe(true);
    expect(where.line).toBe(lineOf('"a/b~c"') === lineOf('Next') ? lineOf('Next') : lineOf('Next'));
  });

  it('unescapes names with / and ~', () => {
    const where = index.locate('/States/a~1b~0c/Type');
    expect(where.exact).toBe(true);
    expect(where.line).toBe(lineOf('Type: Pass') >= 0 ? lineOf('Type: Pass') : lineOf('"Type": "Pass"'));
  });

  it('walks into arrays of nested machines', () => {
    const where = index.locate('/States/Fan/Branches/0/States/X/Type');
    expect(where.exact).toBe(true);
    expect(where.line).toBe(lineOf('Succeed'));
  });

  it('falls back to the deepest existing part of the pointer', () => {
    const where = index.locate('/States/Fetch/Retry/0');
    expect(where.exact).toBe(false);
    expect(where.pointer).toBe('/States/Fetch');
    expect(where.line).toBe(index.locate('/States/Fetch').line);
  });

  it('puts the root on the first line of content', () => {
    const where = index.locate('');
    expect(where.exact).toBe(true);
    expect(where.line).toBe(format === 'yaml' ? 1 : 0);
  });

  it('converts offsets and positions both ways', () => {
    const where = index.locate('/States/Fan');
    const pos = index.position(where.offset);
    expect(index.offset(pos.line, pos.column)).toBe(where.offset);
  });
});

describe('half-typed text', () => {
  it('still finds states in JSON that does not parse', () => {
    const broken = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass", "Next": \n';
    const where = new SourceIndex(broken, 'json').locate('/States/A');
    expect(where.exact).toBe(true);
    expect(where.line).toBe(3);
  });
  it('still finds states in YAML with an error further down', () => {
    const broken = 'StartAt: A\nStates:\n  A:\n    Type: Pass\n  B: [unclosed\n';
    const where = new SourceIndex(broken, 'yaml').locate('/States/A/Type');
    expect(where.exact).toBe(true);
    expect(where.line).toBe(3);
  });
  it('copes with an empty document', () => {
    const where = new SourceIndex('', 'yaml').locate('/States/A');
    expect(where).toMatchObject({ line: 0, column: 0, exact: false, pointer: '' });
  });
  it('takes the last of duplicate keys, as JSON.parse does', () => {
    const dup = '{"States": {"A": {"Type": "Pass"},\n "A": {"Type": "Succeed"}}}';
    expect(new SourceIndex(dup, 'json').locate('/States/A').line).toBe(1);
  });
});
