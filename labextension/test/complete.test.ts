// The completion and hover sources on JSON and YAML text, with the server's catalog as
// test/fixtures/catalog.json (tests/test_editor_catalog.py checks it equals the server's reply).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import type { ICatalog } from '../src/catalog';
import { aslCompletions, arity, assignedVariables } from '../src/complete';
import { runCode } from '../src/runcode';
import { outline } from '../src/context';
import { aslHover } from '../src/hover';

const catalog = JSON.parse(
  readFileSync(new URL('./fixtures/catalog.json', import.meta.url), 'utf-8')
) as ICatalog;

/** Completions where `|` is in the text; returns labels, and the text after applying `pick`. */
function complete(marked: string, format: 'json' | 'yaml', pick?: string, explicit = true) {
  const pos = marked.indexOf('|');
  const text = marked.slice(0, pos) + marked.slice(pos + 1);
  const found = aslCompletions(text, pos, format, catalog, explicit);
  const labels = found?.options.map(o => o.label) ?? [];
  let applied: string | undefined;
  if (found && pick !== undefined) {
    const option = found.options.find(o => o.label === pick);
    expect(option, `${pick} among ${labels.join(', ')}`).toBeDefined();
    applied = text.slice(0, found.from) + option!.apply + text.slice(found.to);
  }
  return { labels, applied, found };
}

const YAML = `StartAt: Fetch
States:
  Fetch:
    Type: Task
    Resource: arn:aws:states:::lambda:invoke
    Catch:
      - ErrorEquals: [States.ALL]
        Next: |
    Next: Done
  Check: {Type: Choice, Choices: [{Variable: $.a, IsNull: true, Next: Done}], Default: Done}
  Done:
    Type: Succeed
`;

describe('state names', () => {
  it('completes a Catch rule Next in YAML with the states of its machine', () => {
    const { labels, applied } = complete(YAML, 'yaml', 'Done');
    expect(labels).toEqual(['Fetch', 'Check', 'Done']);
    expect(applied).toContain('        Next: Done\n    Next: Done');
  });

  it('completes Next, Default and StartAt in JSON, quoting the name', () => {
    const text = `{
  "StartAt": |,
  "States": {
    "A": {"Type": "Pass", "Next": "B"},
    "B b": {"Type": "Choice", "Choices": [], "Default": "A"}
  }
}`;
    const { labels, applied } = complete(text, 'json', 'B b');
    expect(labels).toEqual(['A', 'B b']);
    expect(applied).toContain('"StartAt": "B b",');
    // Inside quotes already typed: the rest of the name replaces the word.
    const inside = text.replace('"Next": "B"', '"Next": "|B"').replace('"StartAt": |', '"StartAt": "A"');
    expect(complete(inside, 'json', 'A').applied).toContain('"Next": "A"}');
    const deflt = text.replace('"Default": "A"', '"Default": "|"').replace('"StartAt": |', '"StartAt": "A"');
    expect(complete(deflt, 'json').labels).toEqual(['A', 'B b']);
  });

  it('offers only the states of the branch a nested state is in', () => {
    const text = `StartAt: P
States:
  P:
    Type: Parallel
    Branches:
      - StartAt: |
        States:
          One: {Type: Pass, Next: Two}
          Two: {Type: Succeed}
    End: true
`;
    expect(complete(text, 'yaml').labels).toEqual(['One', 'Two']);
    const flow = text.replace('StartAt: |', 'StartAt: One').replace('Next: Two}', 'Next: |}');
    expect(complete(flow, 'yaml').labels).toEqual(['One', 'Two']);
  });

  it('quotes YAML names that would not read as plain strings', () => {
    const text = `StartAt: A
States:
  A: {Type: Pass, Next: "yes"}
  "yes": {Type: Pass, Next: |}
  "B: c": {Type: Succeed}
`;
    const { found } = complete(text, 'yaml');
    const apply = Object.fromEntries(found!.options.map(o => [o.label, o.apply]));
    expect(apply).toEqual({ A: 'A', yes: '"yes"', 'B: c': '"B: c"' });
  });
});

describe('fields', () => {
  it('offers the fields of the state type in its query language, minus those present', () => {
    const text = `StartAt: W
States:
  W:
    Type: Wait
    Sec|
    End: true
`;
    const { labels, applied } = complete(text, 'yaml', 'SecondsPath');
    expect(labels).toContain('Seconds');
    expect(labels).toContain('SecondsPath');
    expect(labels).toContain('InputPath');
    expect(labels).not.toContain('End');
    expect(labels).not.toContain('Type');
    expect(labels).not.toContain('Output'); // JSONata only
    expect(labels).not.toContain('Resource'); // not a Wait field
    expect(applied).toContain('    SecondsPath: \n');
  });

  it('switches to the JSONata fields when the machine or the state says so', () => {
    const text = `{
  "QueryLanguage": "JSONata",
  "StartAt": "T",
  "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", |, "End": true}
  }
}`;
    const { labels, applied } = complete(text, 'json', 'Arguments');
    expect(labels).toContain('Arguments');
    expect(labels).toContain('Output');
    expect(labels).not.toContain('Parameters');
    expect(labels).not.toContain('ResultPath');
    expect(applied).toContain('"Arguments": , "End": true');
    const jsonpath = text.replace('"Type": "Task"', '"Type": "Task", "QueryLanguage": "JSONPath"');
    expect(complete(jsonpath, 'json').labels).toContain('Parameters');
  });

  it('knows Catch, Retry and Choice rule objects', () => {
    const catcher = complete(YAML.replace('Next: |', 'Next: Done\n        |'), 'yaml').labels;
    expect(catcher.sort()).toEqual(['Assign', 'Comment', 'ResultPath']);
    const retry = `StartAt: T
States:
  T:
    Type: Task
    Resource: arn:aws:states:::lambda:invoke
    Retry:
      - ErrorEquals: [States.TaskFailed]
        Jit|
    End: true
`;
    expect(complete(retry, 'yaml', 'JitterStrategy').applied).toContain('JitterStrategy: \n');
    const rule = `{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [
  {"Variable": "$.n", "NumericG|"}
], "Default": "C"}}}`;
    const labels = complete(rule, 'json').labels;
    expect(labels).toContain('NumericGreaterThan');
    expect(labels).toContain('NumericGreaterThanEqualsPath');
    expect(labels).not.toContain('Condition'); // JSONata
  });

  it('writes the quotes and colon a JSON key lacks, and no more', () => {
    const base = `{"StartAt": "A", "States": {"A": {"Type": "Pass", KEY}}}`;
    const bare = complete(base.replace('KEY', 'En|'), 'json', 'End').applied;
    expect(bare).toBe(base.replace('KEY', '"End": '));
    const closed = complete(base.replace('KEY', '"En|"'), 'json', 'End').applied;
    expect(closed).toBe(base.replace('KEY', '"End": '));
    const open = complete(base.replace('KEY', '"En|'), 'json', 'End').applied;
    expect(open).toBe(base.replace('KEY', '"End": '));
    const whole = complete(base.replace('KEY', '"En|d": true'), 'json', 'End').applied;
    expect(whole).toBe(base.replace('KEY', '"End": true'));
  });

  it('does not complete inside a payload', () => {
    const text = `StartAt: P
States:
  P:
    Type: Pass
    Parameters:
      Ne|
    End: true
`;
    expect(complete(text, 'yaml').found).toBeNull();
  });

  it('waits for a letter before offering keys while typing', () => {
    const text = `StartAt: W\nStates:\n  W:\n    Type: Pass\n    |\n`;
    expect(complete(text, 'yaml', undefined, false).found).toBeNull();
    expect(complete(text, 'yaml', undefined, true).labels).toContain('Next');
  });
});

describe('values', () => {
  it('offers the state types and query languages', () => {
    const text = `StartAt: A\nStates:\n  A:\n    Type: |\n`;
    expect(complete(text, 'yaml').labels).toEqual([
      'Task',
      'Wait',
      'Pass',
      'Succeed',
      'Fail',
      'Choice',
      'Parallel',
      'Map'
    ]);
    const ql = `{"QueryLanguage": "|"}`;
    expect(complete(ql, 'json', 'JSONata').applied).toBe('{"QueryLanguage": "JSONata"}');
  });

  it('offers the Resource ARNs the engine runs', () => {
    const text = `StartAt: T\nStates:\n  T:\n    Type: Task\n    Resource: arn:aws:states:::dyn|\n`;
    const { labels, applied } = complete(text, 'yaml', 'arn:aws:states:::dynamodb:putItem');
    expect(labels).toContain('arn:aws:states:::glue:startJobRun.sync');
    expect(labels).toContain('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(labels).toContain('arn:aws:lambda:us-east-1:123456789012:function:');
    expect(labels.length).toBe(catalog.resources.length + 1);
    expect(applied).toContain('    Resource: arn:aws:states:::dynamodb:putItem\n');
  });
});

describe('expressions', () => {
  it('offers intrinsics with their arity in a JSONPath template', () => {
    const text = `{"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {
  "msg.$": "States.Fo|"
}, "End": true}}}`;
    const { found, applied } = complete(text, 'json', 'States.Format');
    expect(found!.options).toHaveLength(18);
    const format = found!.options.find(o => o.label === 'States.Format')!;
    expect(format.detail).toBe('1 or more arguments');
    expect(found!.options.find(o => o.label === 'States.UUID')!.detail).toBe('no arguments');
    expect(found!.options.find(o => o.label === 'States.MathRandom')!.detail).toBe('2–3 arguments');
    expect(applied).toContain('"msg.$": "States.Format("');
    // A plain (non-template) value is not an intrinsic's place.
    expect(complete(text.replace('"msg.$"', '"msg"'), 'json').labels).not.toContain('States.Format');
  });

  it('offers $states members and AWS functions in JSONata', () => {
    const members = `Output: "{% $states.|"`;
    expect(complete(members, 'yaml').labels).toEqual(['input', 'result', 'errorOutput', 'context']);
    const fns = `{"Output": "{% $par|"}`;
    const { labels, applied } = complete(fns, 'json', '$partition');
    expect(labels).toEqual([
      '$states',
      '$hash',
      '$parse',
      '$partition',
      '$random',
      '$range',
      '$uuid'
    ]);
    expect(applied).toBe('{"Output": "{% $partition("}');
    // Not once the expression is closed.
    expect(complete(`{"Output": "{% 1 %} $par|"}`, 'json').labels).not.toContain('$partition');
  });

  it('offers the variables the document assigns', () => {
    const yaml = `QueryLanguage: JSONata
StartAt: A
States:
  A:
    Type: Pass
    Assign:
      total: 0
      items: "{% $states.input.items %}"
    Next: B
  B: {Type: Pass, Assign: {count: 1}, Output: "{% $|"}
`;
    const labels = complete(yaml, 'yaml').labels;
    expect(labels.slice(0, 4)).toEqual(['$states', '$count', '$items', '$total']);
    expect(assignedVariables(yaml, 'yaml')).toEqual(['count', 'items', 'total']);
    const json = `{"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {"n.$": "$.n"},
  "Output": "{% $|"}}}`;
    expect(complete(json, 'json').labels).toContain('$n');
  });

  it('states arity in words', () => {
    expect(arity({ name: 'x', min_args: 2, max_args: 2 })).toBe('2 arguments');
    expect(arity({ name: 'x', min_args: 1, max_args: 1 })).toBe('1 argument');
  });
});

describe('hover', () => {
  const hover = (marked: string, format: 'json' | 'yaml') => {
    const pos = marked.indexOf('|');
    return aslHover(marked.slice(0, pos) + marked.slice(pos + 1), pos, format, catalog);
  };

  it('documents a field in the object it is in', () => {
    const doc = hover(YAML.replace('Next: |', 'Ne|xt: Done'), 'yaml');
    expect(doc?.title).toBe('Next');
    expect(doc?.text).toContain('when this catcher handles the error');
    expect(doc?.meta).toContain('Catcher');
    expect(doc?.meta).toContain('required');
    const state = hover(YAML.replace('    Resource:', '    Reso|urce:').replace('Next: |', 'Next: Done'), 'yaml');
    expect(state?.text).toContain('Lambda function');
    expect(state?.meta).toBe('Task · required');
    const json = hover(`{"StartAt": "A", "States": {"A": {"Type": "Pass", "Inpu|tPath": "$"}}}`, 'json');
    expect(json?.meta).toBe('Pass · JSONPath only');
  });

  it('says what a Resource ARN calls', () => {
    const doc = hover(`Resource: arn:aws:states:::glue:start|JobRun.sync`, 'yaml');
    expect(doc?.title).toBe('arn:aws:states:::glue:startJobRun.sync');
    expect(doc?.text).toContain('waits for the job');
    const fn = hover(`Resource: arn:aws:lambda:us-east-1:123456789012:function:va|lidate`, 'yaml');
    expect(fn?.text).toContain('"validate"');
  });

  it('documents intrinsics, $states and AWS JSONata functions; nothing for payload keys', () => {
    expect(hover(`"x.$": "States.Array|Length($.a)"`, 'yaml')?.meta).toBe('1 argument');
    expect(hover(`Output: "{% $states.inp|ut %}"`, 'yaml')?.title).toBe('$states.input');
    expect(hover(`Output: "{% $ha|sh($x, 'MD5') %}"`, 'yaml')?.meta).toContain('2 arguments');
    const payload = `StartAt: P\nStates:\n  P:\n    Type: Pass\n    Parameters:\n      Ne|xt: 1\n`;
    expect(hover(payload, 'yaml')).toBeNull();
  });
});

describe('run locally', () => {
  it('calls run_from_editor with the input as Python literals', () => {
    expect(runCode('a b.asl.yaml', { input: '{"n": "x\\"y"}' })).toBe(
      'from sfn_notebook.notebook.filerun import run_from_editor\n' +
        'run_from_editor("a b.asl.yaml", input_json="{\\"n\\": \\"x\\\\\\"y\\"}")'
    );
    expect(runCode('m.asl.json', { inputPath: 'in.json' })).toContain(
      'run_from_editor("m.asl.json", input_path="in.json")'
    );
    expect(runCode('m.asl.json', { input: '  ' })).toContain('run_from_editor("m.asl.json")');
  });
});

describe('big files', () => {
  const states = (n: number) => {
    let text = 'StartAt: S0\nStates:\n';
    for (let i = 0; i < n; i++) {
      text +=
        `  S${i}:\n    Type: Task\n    Resource: arn:aws:states:::lambda:invoke\n` +
        `    Parameters:\n      FunctionName: f${i}\n    Retry:\n` +
        `      - ErrorEquals: [States.ALL]\n    Next: S${i + 1}\n`;
    }
    return text + `  S${n}: {Type: Succeed}\nComment: big\n`;
  };

  it('parses only the state under the cursor, and every state name', () => {
    const text = states(3);
    const line = text.split('\n').indexOf('  S1:') + 2;
    expect(outline(text, line)).toBe(
      'StartAt: S0\nStates:\n  S0:\n  S1:\n    Type: Task\n' +
        '    Resource: arn:aws:states:::lambda:invoke\n    Parameters:\n      FunctionName: f1\n' +
        '    Retry:\n      - ErrorEquals: [States.ALL]\n    Next: S2\n  S2:\n' +
        '  S3: {Type: Succeed}\nComment: big\n'
    );
  });

  it('keeps only the state names when the cursor is outside the states', () => {
    expect(outline(states(2), 0)).toBe(
      'StartAt: S0\nStates:\n  S0:\n  S1:\n  S2: {Type: Succeed}\nComment: big\n'
    );
  });

  it('completes in a 500-state file within a keystroke', () => {
    const text = states(500);
    const pos = text.indexOf('Next: S251') + 'Next: S'.length;
    const cpu = process.cpuUsage();
    for (let i = 0; i < 10; i++) {
      expect(complete(text.slice(0, pos) + '|' + text.slice(pos), 'yaml').labels).toHaveLength(501);
    }
    const used = process.cpuUsage(cpu);
    // About 7 ms each on a loaded 2-core machine; a whole parse would be 100+ ms.
    expect((used.user + used.system) / 1000 / 10).toBeLessThan(100);
  });
});
