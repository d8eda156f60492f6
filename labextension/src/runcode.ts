/**
 * The Python that "Run locally" (run.ts) executes in the console attached to the file. Pure, so
 * the unit tests check the quoting without JupyterLab.
 */

/** What to run with: JSON text, or a file path relative to the state machine's folder. */
export interface IRunInput {
  input?: string;
  inputPath?: string;
}

/** The Python a run executes in the console (a string literal from JSON.stringify is Python). */
export function runCode(fileName: string, given: IRunInput): string {
  const input =
    given.inputPath !== undefined
      ? `, input_path=${JSON.stringify(given.inputPath)}`
      : given.input !== undefined && given.input.trim()
        ? `, input_json=${JSON.stringify(given.input)}`
        : '';
  return (
    'from sfn_notebook.notebook.filerun import run_from_editor\n' +
    `run_from_editor(${JSON.stringify(fileName)}${input})`
  );
}
