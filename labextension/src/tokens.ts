/** Names shared across the extension (and, for the MIME type, with the Python side). */

/** Must equal GRAPH_MIME_TYPE in sfn_notebook/labext/graph.py (a pytest checks it). */
export const GRAPH_MIME_TYPE = 'application/vnd.sfn-notebook.graph+json';

/** The widget factory's name, shown in "Open With". */
export const FACTORY = 'State Machine Graph';

export const FILE_TYPE_JSON = 'asl-json';
export const FILE_TYPE_YAML = 'asl-yaml';

export namespace CommandIDs {
  export const create = 'sfn-notebook:new-state-machine';
  export const validate = 'sfn-notebook:validate';
  export const format = 'sfn-notebook:format';
  export const undo = 'sfn-notebook:undo';
  export const redo = 'sfn-notebook:redo';
  export const run = 'sfn-notebook:run';
  export const goToLine = 'sfn-notebook:go-to-line';
}

/** How long the editor must be quiet before the graph is redrawn. */
export const DEBOUNCE_MS = 300;
