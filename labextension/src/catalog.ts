/**
 * The completion catalog: what the engine knows, served by `GET /sfn-notebook/api/catalog`
 * (sfn_notebook/labext/catalog.py, whose TypedDicts these interfaces mirror). Fetched once per
 * page; the completion and hover sources take it as an argument, so unit tests pass their own.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

export interface IFieldInfo {
  name: string;
  /** 'JSONPath' or 'JSONata' when the field exists in that query language only. */
  language?: string;
  /** A JSONata state may give a `{% %}` expression instead of the literal value. */
  expression?: boolean;
  required?: boolean;
  /** The only strings the validator accepts. */
  values?: string[];
}

export interface IFunctionInfo {
  name: string;
  min_args: number;
  /** null: any number of arguments. */
  max_args: number | null;
}

export interface IResourceInfo {
  arn: string;
  detail: string;
}

export interface ICatalog {
  /** Fields by object kind: a state type, 'Machine', 'Branch', 'Catcher', 'ChoiceRule' ... */
  objects: Record<string, IFieldInfo[]>;
  operators: string[];
  intrinsics: IFunctionInfo[];
  jsonata_functions: IFunctionInfo[];
  resources: IResourceInfo[];
  lambda_arn_prefix: string;
}

let pending: Promise<ICatalog> | undefined;

/** The server's catalog, fetched on first use (a failed fetch is retried on the next call). */
export function loadCatalog(): Promise<ICatalog> {
  if (!pending) {
    const settings = ServerConnection.makeSettings();
    const url = URLExt.join(settings.baseUrl, 'sfn-notebook', 'api', 'catalog');
    pending = ServerConnection.makeRequest(url, { method: 'GET' }, settings).then(
      async response => {
        if (!response.ok) {
          throw new ServerConnection.ResponseError(response);
        }
        return (await response.json()) as ICatalog;
      }
    );
    pending.catch(() => (pending = undefined));
  }
  return pending;
}
