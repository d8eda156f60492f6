/**
 * The wire protocol with the server extension (sfn_notebook/labext/graph.py, whose TypedDicts
 * these interfaces mirror) and the two requests.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** sfn_notebook.errors.Diagnostic as JSON. */
export interface IDiagnostic {
  severity: 'ERROR' | 'WARNING' | string;
  code: string;
  message: string;
  /** JSON pointer; `''` or `'/'` for the whole document. */
  location: string;
  /** 1-based column inside the expression string `snippet`. */
  column?: number | null;
  snippet?: string | null;
  /** For text that does not parse: the parser's 1-based line; `column` is then in that line. */
  line?: number | null;
}

/** One state, nested ones included; `node` is its node id in `dot` (the SVG `<title>`). */
export interface IStateInfo {
  name: string;
  pointer: string;
  type: string;
  node: string;
}

export interface IValidateReply {
  diagnostics: IDiagnostic[];
  states: IStateInfo[];
}

export interface IGraphReply extends IValidateReply {
  /** Empty when the text is not a JSON/YAML document at all. */
  dot: string;
  title: string;
}

/** The data of a `application/vnd.sfn-notebook.graph+json` output. */
export interface IGraphMimeData {
  dot: string;
  title?: string;
}

async function post<T>(route: string, body: object, signal?: AbortSignal): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'sfn-notebook', 'api', route);
  const response = await ServerConnection.makeRequest(
    url,
    { method: 'POST', body: JSON.stringify(body), signal },
    settings
  );
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const data = await response.json();
      message = data.message || message;
    } catch {
      // A non-JSON error page (e.g. a proxy's) keeps the status line as the message.
    }
    throw new ServerConnection.ResponseError(response, message);
  }
  return (await response.json()) as T;
}

/** `POST /sfn-notebook/api/graph`. */
export function requestGraph(text: string, title = '', signal?: AbortSignal): Promise<IGraphReply> {
  return post<IGraphReply>('graph', { text, title }, signal);
}

/** `POST /sfn-notebook/api/validate`. */
export function requestValidate(text: string, signal?: AbortSignal): Promise<IValidateReply> {
  return post<IValidateReply>('validate', { text }, signal);
}
