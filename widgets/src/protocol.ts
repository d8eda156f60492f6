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

/** The event table asks for `limit` events from `offset` (only `types`, if given). */
export interface PageRequest {
  type: "page";
  request: number;
  offset: number;
  limit: number;
  types: string[] | null;
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

export type ToPython = HelloRequest | SelectRequest | PageRequest | DebugRequest | TravelRequest;

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

export type FromPython = RowsUpdate | DetailsReply | PageReply;

// -- synced traits, per widget kind ---------------------------------------------------------

/** Status → [fill, border] colours, sent by Python so both sides draw the same. */
export type Palette = Record<string, [string, string]>;

export interface GraphTraits {
  kind: "graph";
  svg: string;
  nodes: Record<string, NodeState>;
  status: string;
  palette: Palette;
}

export interface TimelineTraits {
  kind: "timeline";
  palette: Palette;
  /** A debugger's time-travel moment (ms since the start), drawn as a line; null: none. */
  cursor: number | null;
}

export interface EventsTraits {
  kind: "events";
  total: number;
  type_counts: Record<string, number>;
  status: string;
}

export interface HeaderTraits {
  kind: "header";
  header: Header;
  palette: Palette;
}
