/**
 * "Run State Machine Locally": runs the split view's file on a kernel's Runtime and shows the
 * execution view beside it.
 *
 * Which kernel: a Python console attached to the file (the same kind of console as File → New
 * Console for Editor), opened to the right of the editor on the first run and reused by later
 * runs while it is open. Its kernel starts in the file's folder. The run calls
 * `sfn_notebook.notebook.filerun.run_from_editor` (`run_file`, errors shown as one line), which
 * defines (or updates) the state machine named after the file on the kernel's default Runtime (`sfn.default_runtime()`, the one `%sfn` and
 * `@sfn.function` use): functions registered in that console serve the file's Lambda Tasks, and
 * the Execution it returns displays as the live ExecutionView.
 *
 * The file is saved first. The input is JSON typed in the dialog, or a `.json` file of the same
 * folder; the command's `input` / `inputPath` arguments skip the dialog.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, ISessionContext, showDialog } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { CommandToolbarButton, runIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { IRunInput, runCode } from './runcode';
import { CommandIDs } from './tokens';
import type { StateMachineDocument } from './widget';

/** The parts of a JupyterLab ConsolePanel this module uses (no @jupyterlab/console import). */
interface IConsolePanel extends Widget {
  sessionContext: ISessionContext;
  console: { inject(code: string): Promise<void> };
}

/** Register the command and return a function that adds its button to a split view. */
export function addRunCommand(
  app: JupyterFrontEnd,
  current: () => StateMachineDocument | null
): (widget: StateMachineDocument) => void {
  const { commands } = app;
  const lastInput = new Map<string, string>();

  commands.addCommand(CommandIDs.run, {
    label: args => (args.toolbar ? 'Run locally' : 'Run State Machine Locally'),
    caption:
      "Run this file's state machine on the Runtime of a Python console attached to it, " +
      'and show the execution beside the editor',
    icon: args => (args.isPalette ? undefined : runIcon),
    isEnabled: () => current() !== null,
    execute: async args => {
      const widget = current();
      if (!widget) {
        return;
      }
      const path = widget.context.path;
      let given: IRunInput | null = {
        input: args.input as string | undefined,
        inputPath: args.inputPath as string | undefined
      };
      if (given.input === undefined && given.inputPath === undefined) {
        given = await askInput(app, path, lastInput.get(path) ?? '{}');
        if (!given) {
          return;
        }
      }
      if (given.input !== undefined) {
        lastInput.set(path, given.input);
      }
      if (widget.context.model.dirty) {
        await widget.context.save();
      }
      const panel = await consoleFor(app, widget);
      await panel.sessionContext.ready;
      const done = panel.console.inject(runCode(PathExt.basename(path), given));
      // The editor keeps the focus: edit, run again; the console shows each run beside it.
      app.shell.activateById(widget.id);
      await done;
      return panel.id;
    }
  });

  return (widget: StateMachineDocument) => {
    widget.toolbar.addItem(
      'sfn-run',
      new CommandToolbarButton({
        commands,
        id: CommandIDs.run,
        args: { toolbar: true },
        label: 'Run locally'
      })
    );
  };
}

/** The open console attached to the file, or a new one to the right of the editor. */
async function consoleFor(app: JupyterFrontEnd, widget: StateMachineDocument): Promise<IConsolePanel> {
  const path = widget.context.path;
  for (const candidate of app.shell.widgets('main')) {
    const panel = candidate as unknown as Partial<IConsolePanel>;
    if (panel.console && panel.sessionContext?.path === path && !candidate.isDisposed) {
      return panel as IConsolePanel;
    }
  }
  const specs = app.serviceManager.kernelspecs;
  await specs.ready;
  const all = specs.specs;
  // A Python kernel (the default one when it is Python): the run is Python.
  const python =
    all && all.default && all.kernelspecs[all.default]?.language === 'python'
      ? all.default
      : Object.values(all?.kernelspecs ?? {}).find(s => s?.language === 'python')?.name;
  return (await app.commands.execute('console:create', {
    path,
    name: `Run ${PathExt.basename(path)}`,
    insertMode: 'split-right',
    ref: widget.id,
    activate: false,
    kernelPreference: { name: python ?? 'python3', shouldStart: true, canStart: true }
  })) as IConsolePanel;
}

/** The run dialog: JSON typed in, or a .json file of the same folder. */
async function askInput(
  app: JupyterFrontEnd,
  path: string,
  last: string
): Promise<IRunInput | null> {
  const folder = PathExt.dirname(path);
  let files: string[] = [];
  try {
    const listing = await app.serviceManager.contents.get(folder, { content: true });
    files = (listing.content as { name: string; type: string }[])
      .filter(item => item.type !== 'directory' && /\.json$/i.test(item.name))
      .filter(item => !/\.asl\.json$/i.test(item.name))
      .map(item => item.name)
      .sort();
  } catch {
    // No listing: typed input only.
  }
  const body = new InputBody(files, last);
  const result = await showDialog({
    title: `Run ${PathExt.basename(path)} locally`,
    body,
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Run' })],
    focusNodeSelector: 'textarea'
  });
  return result.button.accept ? result.value : null;
}

class InputBody extends Widget implements Dialog.IBodyWidget<IRunInput> {
  constructor(files: string[], last: string) {
    super();
    this.addClass('sfn-RunDialog');
    const doc = this.node.ownerDocument;
    const label = doc.createElement('label');
    label.textContent = 'Input';
    this._select = doc.createElement('select');
    this._select.className = 'jp-mod-styled';
    const typed = doc.createElement('option');
    typed.value = '';
    typed.textContent = 'JSON below';
    this._select.append(typed);
    for (const name of files) {
      const option = doc.createElement('option');
      option.value = name;
      option.textContent = name;
      this._select.append(option);
    }
    label.append(this._select);
    this._text = doc.createElement('textarea');
    this._text.className = 'jp-mod-styled';
    this._text.rows = 8;
    this._text.spellcheck = false;
    this._text.value = last;
    this._select.onchange = () => (this._text.disabled = this._select.value !== '');
    const hint = doc.createElement('div');
    hint.className = 'sfn-RunDialog-hint';
    hint.textContent =
      "Runs in a Python console attached to this file, on its kernel's sfn.default_runtime().";
    this.node.append(label, this._text, hint);
  }

  getValue(): IRunInput {
    return this._select.value ? { inputPath: this._select.value } : { input: this._text.value };
  }

  private _select: HTMLSelectElement;
  private _text: HTMLTextAreaElement;
}
