// The messages between the Python widgets and this front-end. sfn_notebook/notebook/protocol.py
// declares the same shapes as TypedDicts (same names, same fields); a pytest test checks that the
// two files agree. Times are milliseconds since the execution started.

/** A graph node's live state; `counts` are a Map's iterations [succeeded, failed, running]. */
export interface NodeState {
  status: string;
  counts: number[] | null;
  subtitle: string | null;
}

/** [start, end, status, error] of one attempt; end is null while it runs. */
export type AttemptTuple = [number | null, number | null, string, string | null];

/** One row of the retry timeline; `parent` is the key of the row it sits under. */
export interface TimelineRow {
  key: string;
  parent: string | null;
  order: number;
  kind: string;
  label: string;
  type: string;
  start: number;
  end: number | null;
  status: string;
  attempts: AttemptTuple[];
  error: string | null;
  node: string | null;
}

/** The graph coloured for one iteration of Map `state` (or branch of a Parallel). */
export interface Scope {
  state: string;
  index: number;
}

/** A Map or Parallel the scope selector offers: `count` iterations (branches) so far, and the
 * indices of those that failed. */
export interface ScopeChoice {
  state: string;
  type: string;
  node: string;
  count: number;
  failed: number[];
}

/** The execution's headline. */
export interface Header {
  name: string;
  status: string;
  duration: number | null;
  done: number;
  total: number;
  events: number;
  /** Real clock, still running: the duration grows with wall time between updates. */
  ticking: boolean;
}

// -- browser → Python -----------------------------------------------------------------------

/** Sent by a timeline view when it starts; the reply is a RowsUpdate with `reset`. */
export interface HelloRequest {
  type: "hello";
}

/** A click on a graph node; the reply is a DetailsReply. */
export interface SelectRequest {
  type: "select";
  node: string;
}

/** The event table asks for `limit` events from `offset` among those matching every filter
 * given: `types`, the `state` they are about, a `text` to search for. `follow` asks for the last
 * page instead of `offset`; `full` for details never truncated. */
export interface PageRequest {
  type: "page";
  request: number;
  offset: number;
  limit: number;
  types: string[] | null;
  state: string | null;
  text: string;
  follow: boolean;
  full: boolean;
}

/** A click to inspect: a graph `node`, a timeline `row`, an `event` id, or a `state` with a visit
 * `key` and `attempt` (the picker). The reply is an InspectionReply. */
export interface InspectRequest {
  type: "inspect";
  request?: number;
  state?: string;
  node?: string;
  row?: string;
  event?: number;
  key?: number;
  attempt?: number;
}

/** The graph's JSON button: the reply is an ExportReply. */
export interface ExportRequest {
  type: "export";
}

/** A debugger panel's button or breakpoint toggle (`state` names the breakpoint). */
export interface DebugRequest {
  type: "debug";
  action: "step" | "resume" | "stop" | "toggle";
  state: string | null;
}

/** The time-travel slider moved: show the execution at event `event` (0: live). */
export interface TravelRequest {
  type: "travel";
  event: number;
}

export type ToPython =
  | HelloRequest
  | SelectRequest
  | PageRequest
  | InspectRequest
  | ExportRequest
  | DebugRequest
  | TravelRequest;

// -- Python → browser -----------------------------------------------------------------------

/** Timeline rows that changed (all of them when `reset`); `end` is the latest time. */
export interface RowsUpdate {
  type: "rows";
  reset: boolean;
  rows: TimelineRow[];
  end: number | null;
  status: string;
  /** Real clock, still running: `end` grows with wall time between updates. */
  ticking: boolean;
  /** The feed's version: an older reset never undoes a newer patch. */
  version: number;
}

/** One visit of a selected state. */
export interface VisitDetails {
  key: number;
  status: string;
  entered: number | null;
  exited: number | null;
  input: string | null;
  output: string | null;
  error: string | null;
  cause: string | null;
  attempts: AttemptTuple[];
  path: [string, number][];
}

/** A selected state's definition and its latest visits (`more` older ones not sent). */
export interface DetailsReply {
  type: "details";
  node: string;
  name: string;
  state_type: string;
  definition: string;
  visits: VisitDetails[];
  more: number;
}

/** One history event for the table; `details` is its details object as indented JSON; `log` the
 * decoded execution log of a Lambda invocation with `LogType: Tail`. */
export interface EventRow {
  id: number;
  previous: number;
  type: string;
  time: string;
  summary: string;
  details: string;
  truncated: boolean;
  log: string | null;
}

/** The answer to a PageRequest; `total` counts the events that match the filter. */
export interface PageReply {
  type: "page";
  request: number;
  offset: number;
  total: number;
  rows: EventRow[];
}

/** One entry of the inspector's visit picker. */
export interface VisitChoice {
  key: number;
  attempt: number;
  label: string;
  status: string;
}

/** The picked visit: `stages` are [stage, label, indented JSON] in pipeline order. */
export interface InspectedVisit {
  key: number;
  attempt: number;
  label: string;
  status: string;
  recorded: boolean;
  note: string | null;
  stages: [string, string, string][];
  variables: string | null;
  error: string | null;
  cause: string | null;
  log: string | null;
}

/** A state's visits (`total` of them; `visits` may list fewer) and the `selected` one's stages;
 * `message` says why there is nothing to show. */
export interface InspectionReply {
  type: "inspection";
  request: number;
  state: string;
  state_type: string;
  definition: string;
  visits: VisitChoice[];
  total: number;
  selected: number;
  current: InspectedVisit | null;
  message: string | null;
}

/** The execution as JSON text (describe-execution's fields and `events`), and a file name. */
export interface ExportReply {
  type: "export";
  filename: string;
  json: string;
}

export type FromPython = RowsUpdate | DetailsReply | PageReply | InspectionReply | ExportReply;

// -- synced traits, per widget kind ---------------------------------------------------------

/** Status → [fill, border] colours, sent by Python so both sides draw the same. */
export type Palette = Record<string, [string, string]>;

export interface GraphTraits {
  kind: "graph";
  svg: string;
  nodes: Record<string, NodeState>;
  status: string;
  palette: Palette;
  /** `{}`: the whole run. */
  scope: Scope | Record<string, never>;
  scopes: ScopeChoice[];
}

export interface TimelineTraits {
  kind: "timeline";
  palette: Palette;
  /** The rows at construction (a reset); patches follow as RowsUpdate messages. */
  snapshot: RowsUpdate | Record<string, never>;
  /** A debugger's time-travel moment (ms since the start), drawn as a line; null: none. */
  cursor: number | null;
}

export interface EventsTraits {
  kind: "events";
  total: number;
  type_counts: Record<string, number>;
  status: string;
  states: string[];
  /** The events added since the previous update (the newest page at most), in the same update
   * as `total`: following the unfiltered list needs no request, so the table keeps up while the
   * kernel is busy running a cell. */
  newest: EventRow[];
}

export interface HeaderTraits {
  kind: "header";
  header: Header;
  palette: Palette;
}

// -- map runs (widgets/src/maprun.ts, sfn_notebook/notebook/mapruns.py) ----------------------

/** A failed child execution of a map run (`index` -1 when AWS does not say). */
export interface MapFailure {
  index: number;
  name: string;
  status: string;
  error: string | null;
  cause: string | null;
}

/** One map run as the panel draws it: `items` by DescribeMapRun's itemCounts keys. */
export interface MapRunState {
  arn: string;
  label: string;
  status: string;
  items: Record<string, number>;
  children: number;
  failures: MapFailure[];
  more_failures: number;
  remote: boolean;
}

/** A click on a failure, or a child asked for by its index (`name`: its ARN on AWS). */
export interface ChildRequest {
  type: "child";
  map_run: string;
  index: number;
  name: string | null;
}

/** A child execution's details and `open`, the line that opens it, or `opened`: its own view was
 * opened below the panel (or `problem`). */
export interface ChildReply {
  type: "child";
  map_run: string;
  index: number;
  name: string | null;
  status: string;
  start: string | null;
  stop: string | null;
  error: string | null;
  cause: string | null;
  output: string | null;
  items: number | null;
  open: string | null;
  opened: boolean;
  problem: string | null;
}

export interface MapRunTraits {
  kind: "maprun";
  runs: MapRunState[];
  palette: Palette;
}
