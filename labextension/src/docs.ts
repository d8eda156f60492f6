/**
 * Short docs for the fields of Amazon States Language objects, the intrinsic functions, AWS's
 * extra JSONata functions and `$states`: what the editor shows on hover and beside completions.
 * Written from the ASL specification and the Step Functions developer guide, in our own words.
 * Which fields exist where (and in which query language) is the server's catalog, not this file.
 */

/** Field docs that hold wherever the field appears. */
export const FIELD_DOCS: Record<string, string> = {
  Type: 'The state type: Task, Pass, Choice, Wait, Succeed, Fail, Parallel or Map.',
  Comment: 'A human-readable description. Ignored when the state machine runs.',
  QueryLanguage:
    'JSONPath (the default) or JSONata. Set on the state machine it applies to every state; ' +
    'a state may set its own to override it.',
  Next: 'The name of the state to run after this one. Exactly one of Next and End.',
  End: 'true ends the state machine (or the branch / item processor) after this state.',
  InputPath:
    'JSONPath: selects the part of the state input the state works on. null gives it {}.',
  OutputPath:
    'JSONPath: selects the part of the state result passed on as output. null passes {}.',
  Output:
    'JSONata: the state output, a JSON value in which {% %} expressions are evaluated. ' +
    'Without it the output is the result (Task, Parallel, Map) or the input.',
  Parameters:
    'JSONPath: the payload template built from the input: keys ending in .$ take a path, ' +
    'a context path ($$.) or an intrinsic function.',
  Arguments:
    'JSONata: the arguments passed to the resource (Task) or to each branch (Parallel); ' +
    '{% %} expressions are evaluated.',
  ResultSelector:
    'JSONPath: a payload template applied to the task result before ResultPath places it.',
  ResultPath:
    'JSONPath: where the result goes in the state input ($ replaces the input, null ' +
    'discards the result and keeps the input).',
  Result: 'Pass (JSONPath): a fixed value used as the state result.',
  Assign:
    'Variables to set, by name. Values may use paths (JSONPath, keys ending in .$) or {% %} ' +
    'expressions (JSONata); later states read them as $name.',
  Resource:
    'The ARN of what the Task runs: a Lambda function, an activity, an optimized service ' +
    'integration (arn:aws:states:::service:action, optionally .sync or .waitForTaskToken) ' +
    'or an AWS SDK call (arn:aws:states:::aws-sdk:service:apiAction).',
  TimeoutSeconds:
    'Fails the Task with States.Timeout when it runs longer than this many seconds ' +
    '(default 99999999).',
  TimeoutSecondsPath: 'JSONPath: reads TimeoutSeconds from the state input.',
  HeartbeatSeconds:
    'Fails the Task with States.HeartbeatTimeout when no heartbeat arrives within this ' +
    'many seconds. Must be less than TimeoutSeconds.',
  HeartbeatSecondsPath: 'JSONPath: reads HeartbeatSeconds from the state input.',
  Credentials: 'An IAM role (RoleArn) the Task assumes for its call.',
  Retry:
    'Retriers tried in order when the state fails: the first whose ErrorEquals matches ' +
    'the error retries it.',
  Catch:
    'Catchers tried in order after retries are used up: the first whose ErrorEquals ' +
    'matches moves to its Next state.',
  Choices: 'Choice rules, tried in order; the first that matches names the next state.',
  Default: 'The state to go to when no Choice rule matches. Without it the execution fails ' +
    'with States.NoChoiceMatched.',
  Seconds: 'Wait: how many seconds to wait.',
  SecondsPath: 'JSONPath: reads the number of seconds to wait from the state input.',
  Timestamp: 'Wait: waits until this RFC 3339 time, e.g. 2026-01-01T00:00:00Z.',
  TimestampPath: 'JSONPath: reads the time to wait for from the state input.',
  Error: 'Fail: the error name the execution fails with.',
  Cause: 'Fail: a description of why the execution failed.',
  ErrorPath: 'JSONPath: reads the error name from the state input (path or intrinsic).',
  CausePath: 'JSONPath: reads the cause from the state input (path or intrinsic).',
  Branches:
    'Parallel: the sub-state machines run at the same time, each with StartAt and States. ' +
    'The result is the array of their outputs, in order.',
  ItemProcessor:
    'Map: the sub-state machine run for each item (StartAt, States, and ProcessorConfig ' +
    'for the mode).',
  Iterator: 'Map: the older name of ItemProcessor (inline mode only).',
  ItemsPath: 'JSONPath: where the array to iterate over is in the state input.',
  Items: 'JSONata: the array to iterate over, a JSON array or an expression.',
  ItemSelector:
    'Map: builds each iteration input from the item ($$.Map.Item.Value / ' +
    '$states.context.Map.Item.Value) and the state input.',
  ItemReader: 'Distributed Map: reads the items from S3 (a JSON, CSV or JSONL file, a ' +
    'manifest, or an object listing).',
  ItemBatcher: 'Distributed Map: groups items into batches for each child execution.',
  ResultWriter: 'Distributed Map: writes the child execution results to S3.',
  MaxConcurrency: 'Map: how many iterations may run at once (0: as many as possible).',
  MaxConcurrencyPath: 'JSONPath: reads MaxConcurrency from the state input.',
  ToleratedFailurePercentage:
    'Distributed Map: the percentage of failed items the map run tolerates (0-100).',
  ToleratedFailurePercentagePath: 'JSONPath: reads ToleratedFailurePercentage from the input.',
  ToleratedFailureCount: 'Distributed Map: how many failed items the map run tolerates.',
  ToleratedFailureCountPath: 'JSONPath: reads ToleratedFailureCount from the state input.',
  Label: 'Distributed Map: a label for the map run, used in its child execution names.',
  StartAt: 'The name of the state this (sub-)state machine starts with.',
  States: 'The states of this (sub-)state machine, by name.',
  Version: 'The ASL version; only "1.0" exists.',
  ProcessorConfig: 'Mode: INLINE (iterations in this execution) or DISTRIBUTED (child ' +
    'executions); ExecutionType of the children for DISTRIBUTED.',
  Mode: 'INLINE runs iterations inside this execution; DISTRIBUTED as child executions.',
  ExecutionType: 'Distributed Map: STANDARD or EXPRESS child executions.',
  ReaderConfig: 'How to read the items: InputType, CSV headers, MaxItems ...',
  WriterConfig: 'How to write the results: Transformation and OutputType.',
  ErrorEquals:
    'The error names this rule handles, e.g. States.TaskFailed, or States.ALL for any ' +
    '(States.ALL must be alone and in the last rule).',
  IntervalSeconds: 'Seconds before the first retry (default 1).',
  MaxAttempts: 'How many retries at most (default 3; 0 never retries).',
  BackoffRate: 'The interval is multiplied by this after each retry (default 2.0).',
  MaxDelaySeconds: 'The longest interval between retries, however large the backoff grows.',
  JitterStrategy: 'FULL randomizes each interval between 0 and its value; NONE (default) does not.',
  Variable: 'JSONPath Choice rule: the path of the value the operator compares.',
  Condition: 'JSONata Choice rule: an expression; the rule matches when it is true.',
  And: 'Matches when every rule in the list matches.',
  Or: 'Matches when any rule in the list matches.',
  Not: 'Matches when the rule it holds does not.',
  InputType: 'The format of the items: CSV, JSON, JSONL, MANIFEST or PARQUET.',
  CSVHeaderLocation: 'FIRST_ROW reads the column names from the file; GIVEN takes CSVHeaders.',
  CSVHeaders: 'The column names when CSVHeaderLocation is GIVEN.',
  CSVDelimiter: 'The CSV field separator.',
  MaxItems: 'Reads at most this many items.',
  MaxItemsPath: 'JSONPath: reads MaxItems from the state input.',
  Transformation: 'How items or results are transformed as they are read or written.',
  OutputType: 'JSON (one array) or JSONL (one result per line).'
};

/** Docs that differ by the object the field is in. */
export const KIND_DOCS: Record<string, Record<string, string>> = {
  Catcher: {
    Next: 'The state to go to when this catcher handles the error.',
    ResultPath:
      'JSONPath: where the error output ({Error, Cause}) goes in the state input ' +
      '(default $: it replaces the input).',
    Output: 'JSONata: the output passed to the Next state; $states.errorOutput holds the error.',
    Assign: 'Variables to set when this catcher handles the error.'
  },
  ChoiceRule: {
    Next: 'The state to go to when this rule matches.'
  },
  JSONataChoiceRule: {
    Next: 'The state to go to when this rule matches.',
    Output: 'JSONata: the Choice state output when this rule matches.'
  },
  Machine: {
    TimeoutSeconds:
      'The longest the execution may run; it then fails with States.Timeout (ExecutionTimedOut).'
  },
  ItemReader: {
    Resource: 'The S3 call that reads the items, e.g. arn:aws:states:::s3:getObject.',
    Parameters: 'JSONPath: the S3 call parameters (Bucket, Key or Prefix).',
    Arguments: 'JSONata: the S3 call parameters (Bucket, Key or Prefix).'
  },
  ResultWriter: {
    Resource: 'The S3 call that writes the results: arn:aws:states:::s3:putObject.',
    Parameters: 'JSONPath: where to write (Bucket, Prefix).',
    Arguments: 'JSONata: where to write (Bucket, Prefix).'
  }
};

/** A Choice rule operator, e.g. NumericGreaterThanEquals or StringEqualsPath. */
export function operatorDoc(name: string): string | undefined {
  const test = /^Is(Null|Present|Numeric|String|Boolean|Timestamp)$/.exec(name);
  if (test) {
    return `true matches when the Variable ${
      test[1] === 'Present' ? 'exists' : test[1] === 'Null' ? 'is null' : `is a ${test[1].toLowerCase()}`
    } (false: when it does not).`;
  }
  if (name === 'StringMatches') {
    return 'Matches the Variable against a pattern in which * stands for any characters.';
  }
  const m = /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals)(Path)?$/.exec(
    name
  );
  if (!m) {
    return undefined;
  }
  const relation: Record<string, string> = {
    Equals: 'equals',
    LessThan: 'is less than',
    GreaterThan: 'is greater than',
    LessThanEquals: 'is at most',
    GreaterThanEquals: 'is at least'
  };
  const operand = m[3] ? 'the value at this path' : `this ${m[1].toLowerCase()}`;
  return `Matches when the Variable (a ${m[1].toLowerCase()}) ${relation[m[2]]} ${operand}.`;
}

/** The intrinsic functions, as signatures and a line each. */
export const INTRINSIC_DOCS: Record<string, string> = {
  'States.Format': "States.Format(template, ...values): fills each {} of the template, in order.",
  'States.StringToJson': 'States.StringToJson(text): parses JSON text into a value.',
  'States.JsonToString': 'States.JsonToString(value): serializes a value as JSON text.',
  'States.Array': 'States.Array(...values): an array of the arguments.',
  'States.ArrayPartition': 'States.ArrayPartition(array, size): chunks of at most size items.',
  'States.ArrayContains': 'States.ArrayContains(array, value): whether the array holds the value.',
  'States.ArrayRange': 'States.ArrayRange(start, end, step): integers from start to end (inclusive).',
  'States.ArrayGetItem': 'States.ArrayGetItem(array, index): the item at a 0-based index.',
  'States.ArrayLength': 'States.ArrayLength(array): the number of items.',
  'States.ArrayUnique': 'States.ArrayUnique(array): the array without duplicate values.',
  'States.Base64Encode': 'States.Base64Encode(text): Base64 of the UTF-8 text.',
  'States.Base64Decode': 'States.Base64Decode(base64): the decoded text.',
  'States.Hash': 'States.Hash(value, algorithm): hex digest; MD5, SHA-1, SHA-256, SHA-384 or SHA-512.',
  'States.JsonMerge': 'States.JsonMerge(a, b, false): b merged over a (shallow; deep merge is not supported).',
  'States.MathRandom': 'States.MathRandom(start, end[, seed]): a random integer, start <= n < end.',
  'States.MathAdd': 'States.MathAdd(a, b): the sum of two integers.',
  'States.StringSplit': 'States.StringSplit(text, delimiters): splits at any of the delimiter characters.',
  'States.UUID': 'States.UUID(): a random version 4 UUID.'
};

/** AWS's extra JSONata functions (without the `$`). */
export const JSONATA_DOCS: Record<string, string> = {
  partition: '$partition(array, size): the array in chunks of at most size items.',
  range: '$range(start, end, step): numbers from start to end (inclusive) by step.',
  hash: '$hash(text, algorithm): hex digest; MD5, SHA-1, SHA-256, SHA-384 or SHA-512.',
  random: '$random([seed]): a random number 0 <= n < 1; the same seed gives the same number.',
  uuid: '$uuid(): a random version 4 UUID.',
  parse: '$parse(text): parses JSON text into a value.'
};

/** The members of `$states` in a JSONata state. */
export const STATES_MEMBERS: Record<string, string> = {
  input: '$states.input: the state input (as the state received it).',
  result: '$states.result: the Task, Parallel or Map result (in Output and Assign).',
  errorOutput: '$states.errorOutput: the error ({Error, Cause}) in a Catch rule.',
  context: '$states.context: the context object (Execution, State, StateMachine, Task, Map).'
};
