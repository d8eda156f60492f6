/**
 * The JupyterLab plugin: file types, the split-view factory, and the two commands.
 */
import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  IWidgetTracker,
  Notification,
  showDialog,
  WidgetTracker
} from '@jupyterlab/apputils';
import { gotoLine } from '@codemirror/search';
import { IEditorServices, IPositionModel } from '@jupyterlab/codeeditor';
import { CodeMirrorEditor } from '@jupyterlab/codemirror';
import { PathExt } from '@jupyterlab/coreutils';
import { DocumentWidget } from '@jupyterlab/docregistry';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISearchProviderRegistry } from '@jupyterlab/documentsearch';
import { ILauncher } from '@jupyterlab/launcher';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { Contents } from '@jupyterlab/services';
import { codeCheckIcon, redoIcon, undoIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { IDiagnostic, requestValidate } from './api';
import { formatDiagnostic } from './diagnostics';
import { FormatError, formatText, minimalEdit } from './format';
import { stateMachineIcon } from './icons';
import { addExportCommands } from './exportcommands';
import { formatOf } from './locate';
import { StateMachineSearchProvider } from './search';
import { NEW_STATE_MACHINE } from './templates';
import { CommandIDs, FACTORY, FILE_TYPE_JSON, FILE_TYPE_YAML } from './tokens';
import { addRunCommand } from './run';
import { StateMachineDocument, StateMachineFactory } from './widget';

const plugin: JupyterFrontEndPlugin<IWidgetTracker<StateMachineDocument>> = {
  id: 'sfn-notebook:plugin',
  description: 'Step Functions state machines as live graphs beside their editor.',
  autoStart: true,
  requires: [IEditorServices],
  optional: [
    ICommandPalette,
    ILauncher,
    ILayoutRestorer,
    IDefaultFileBrowser,
    ILabShell,
    IMainMenu,
    ISearchProviderRegistry,
    IPositionModel
  ],
  activate
};

function activate(
  app: JupyterFrontEnd,
  editorServices: IEditorServices,
  palette: ICommandPalette | null,
  launcher: ILauncher | null,
  restorer: ILayoutRestorer | null,
  browser: IDefaultFileBrowser | null,
  labShell: ILabShell | null,
  mainMenu: IMainMenu | null,
  searchRegistry: ISearchProviderRegistry | null,
  positionModel: IPositionModel | null
): IWidgetTracker<StateMachineDocument> {
  const { commands, docRegistry } = app;

  docRegistry.addFileType({
    name: FILE_TYPE_JSON,
    displayName: 'State Machine (JSON)',
    extensions: ['.asl.json'],
    mimeTypes: ['application/json'],
    contentType: 'file',
    fileFormat: 'text',
    icon: stateMachineIcon
  });
  docRegistry.addFileType({
    name: FILE_TYPE_YAML,
    displayName: 'State Machine (YAML)',
    extensions: ['.asl.yaml', '.asl.yml'],
    mimeTypes: ['text/x-yaml'],
    contentType: 'file',
    fileFormat: 'text',
    icon: stateMachineIcon
  });

  const factory = new StateMachineFactory(
    {
      name: FACTORY,
      label: 'State Machine Graph',
      // Plain JSON/YAML files get it under "Open With"; ASL files open in it by default.
      fileTypes: [FILE_TYPE_JSON, FILE_TYPE_YAML, 'json', 'yaml'],
      defaultFor: [FILE_TYPE_JSON, FILE_TYPE_YAML],
      modelName: 'text'
    },
    editorServices
  );
  docRegistry.addWidgetFactory(factory);

  const tracker = new WidgetTracker<StateMachineDocument>({ namespace: 'sfn-notebook' });
  const addRunButton = addRunCommand(app, () => {
    const widget = tracker.currentWidget;
    return widget && widget === app.shell.currentWidget ? widget : null;
  });
  factory.widgetCreated.connect((_, widget) => {
    addRunButton(widget);
    widget.context.pathChanged.connect(() => void tracker.save(widget));
    void tracker.add(widget);
  });
  if (restorer) {
    void restorer.restore(tracker, {
      command: 'docmanager:open',
      args: widget => ({ path: widget.context.path, factory: FACTORY }),
      name: widget => widget.context.path
    });
  }

  addEditorCommands(app, tracker, mainMenu);
  addExportCommands(app, tracker, palette);
  // Ctrl+F / Edit → Find…, and the status bar's "Ln 3, Col 7", as in the plain editor.
  searchRegistry?.add('sfn-notebook', StateMachineSearchProvider);
  positionModel?.addEditorProvider(async (widget: Widget | null) =>
    widget instanceof StateMachineDocument && tracker.has(widget) ? widget.content.editor : null
  );

  commands.addCommand(CommandIDs.create, {
    label: args => (args.isPalette ? 'New State Machine' : 'State Machine'),
    caption: 'Create a Step Functions state machine (.asl.yaml) from a template',
    icon: args => (args.isPalette ? undefined : stateMachineIcon),
    execute: async args => {
      const cwd = (args.cwd as string) ?? browser?.model.path ?? '';
      const contents = app.serviceManager.contents;
      const model: Contents.IModel = await contents.newUntitled({
        path: cwd,
        type: 'file',
        ext: '.asl.yaml'
      });
      // newUntitled names it untitled.asl.yaml; give it the template's content before opening.
      await contents.save(model.path, {
        type: 'file',
        format: 'text',
        content: NEW_STATE_MACHINE
      });
      return commands.execute('docmanager:open', { path: model.path, factory: FACTORY });
    }
  });

  // The launcher (or the palette) is the current widget when "Validate" is chosen there, so the
  // command acts on the text document that was current before it.
  let lastTextDocument: DocumentWidget | null = null;
  labShell?.currentChanged.connect(() => {
    const current = currentTextDocument(app);
    if (current) {
      lastTextDocument = current;
      current.disposed.connect(() => {
        if (lastTextDocument === current) {
          lastTextDocument = null;
        }
      });
    }
  });
  const validationTarget = () => currentTextDocument(app) ?? lastTextDocument;

  commands.addCommand(CommandIDs.validate, {
    label: 'Validate State Machine',
    caption: 'Check the current JSON/YAML file as an Amazon States Language definition',
    icon: args => (args.isPalette ? undefined : codeCheckIcon),
    isEnabled: () => validationTarget() !== null,
    execute: async () => {
      const widget = validationTarget();
      if (!widget) {
        return;
      }
      const name = PathExt.basename(widget.context.path);
      let diagnostics;
      if (widget instanceof StateMachineDocument) {
        const reply = await widget.content.refresh();
        diagnostics = reply?.diagnostics;
      }
      if (!diagnostics) {
        diagnostics = (await requestValidate(widget.context.model.toString())).diagnostics;
      }
      if (!diagnostics.some(d => d.severity !== 'INFO')) {
        const notes = diagnostics.length ? ` (${plural(diagnostics.length, 'note')})` : '';
        Notification.success(`${name}: valid state machine${notes}`, { autoClose: 4000 });
        return diagnostics;
      }
      const errors = diagnostics.filter(d => d.severity === 'ERROR').length;
      // A toast shows one short line (JupyterLab cuts messages at 140 characters), so it
      // counts the problems and names the first; "Show all" lists every one of them.
      // Problems first: an INFO note (a ${Name} placeholder) is not what the toast is about.
      const found = [...diagnostics].sort(
        (a, b) => Number(a.severity === 'INFO') - Number(b.severity === 'INFO')
      );
      const text =
        `${name}: ${plural(found.length, 'problem')} (${plural(errors, 'error')}) — ` +
        formatDiagnostic(found[0]);
      const actions = [
        {
          label: 'Show all',
          callback: () => void showProblems(name, found)
        }
      ];
      if (!(widget instanceof StateMachineDocument)) {
        actions.push({
          label: 'Open as graph',
          callback: () =>
            void commands.execute('docmanager:open', {
              path: widget.context.path,
              factory: FACTORY
            })
        });
      }
      if (errors) {
        Notification.error(text, { autoClose: false, actions });
      } else {
        Notification.warning(text, { autoClose: 8000, actions });
      }
      return diagnostics;
    }
  });

  if (palette) {
    palette.addItem({ command: CommandIDs.create, category: 'Step Functions', args: { isPalette: true } });
    palette.addItem({ command: CommandIDs.format, category: 'Step Functions' });
    palette.addItem({ command: CommandIDs.run, category: 'Step Functions', args: { isPalette: true } });
    palette.addItem({
      command: CommandIDs.validate,
      category: 'Step Functions',
      args: { isPalette: true }
    });
  }
  if (launcher) {
    launcher.add({ command: CommandIDs.create, category: 'Other', rank: 20 });
    launcher.add({ command: CommandIDs.validate, category: 'Other', rank: 21 });
  }
  return tracker;
}

/**
 * Undo, redo and format for the split view. Undo/redo join the Edit menu's undoers, which is
 * also where JupyterLab's Ctrl+Z / Ctrl+Shift+Z (bound to `editmenu:undo`/`redo` on the
 * editor's `data-jp-undoer` node) look for a handler for the current widget.
 */
function addEditorCommands(
  app: JupyterFrontEnd,
  tracker: WidgetTracker<StateMachineDocument>,
  mainMenu: IMainMenu | null
): void {
  const { commands, shell } = app;
  const current = (): StateMachineDocument | null => {
    const widget = tracker.currentWidget;
    return widget && widget === shell.currentWidget ? widget : null;
  };
  const isEnabled = () => current() !== null;

  commands.addCommand(CommandIDs.undo, {
    label: 'Undo',
    icon: undoIcon.bindprops({ stylesheet: 'menuItem' }),
    isEnabled: () => Boolean(current()?.content.editor.model.sharedModel.canUndo()),
    execute: () => current()?.content.editor.undo()
  });
  commands.addCommand(CommandIDs.redo, {
    label: 'Redo',
    icon: redoIcon.bindprops({ stylesheet: 'menuItem' }),
    isEnabled: () => Boolean(current()?.content.editor.model.sharedModel.canRedo()),
    execute: () => current()?.content.editor.redo()
  });
  mainMenu?.editMenu.undoers.undo.add({ id: CommandIDs.undo, isEnabled });
  mainMenu?.editMenu.undoers.redo.add({ id: CommandIDs.redo, isEnabled });

  // Edit → Go to Line…: CodeMirror's line prompt, or `line`/`column` (1-based) args.
  commands.addCommand(CommandIDs.goToLine, {
    label: 'Go to Line…',
    isEnabled,
    execute: args => {
      const editor = current()?.content.editor;
      if (!(editor instanceof CodeMirrorEditor)) {
        return;
      }
      if (typeof args.line === 'number') {
        const position = { line: args.line - 1, column: ((args.column as number) ?? 1) - 1 };
        editor.setCursorPosition(position);
        editor.revealPosition(position);
      } else {
        editor.execCommand(gotoLine);
      }
      editor.focus();
    }
  });
  mainMenu?.editMenu.goToLiners.add({ id: CommandIDs.goToLine, isEnabled });

  commands.addCommand(CommandIDs.format, {
    label: 'Format State Machine Document',
    caption: 'Re-indent the JSON or YAML text (keeps key order, and comments in YAML)',
    isEnabled,
    execute: () => {
      const widget = current();
      if (!widget) {
        return;
      }
      const model = widget.content.editor.model.sharedModel;
      const text = model.getSource();
      let formatted: string;
      try {
        formatted = formatText(text, formatOf(widget.context.path, text));
      } catch (reason) {
        if (reason instanceof FormatError) {
          Notification.warning(`${PathExt.basename(widget.context.path)}: ${reason.message}`, {
            autoClose: 5000
          });
          return;
        }
        throw reason;
      }
      const edit = minimalEdit(text, formatted);
      if (edit) {
        // One replacement: a single undo step, and the cursor stays near where it was.
        model.updateSource(edit[0], edit[1], edit[2]);
      }
    }
  });
  commands.addKeyBinding({
    command: CommandIDs.format,
    keys: ['Shift Alt F'],
    selector: '.sfn-StateMachineDocument'
  });
  const notify = () => {
    for (const id of [CommandIDs.undo, CommandIDs.redo, CommandIDs.format, CommandIDs.run]) {
      commands.notifyCommandChanged(id);
    }
  };
  tracker.currentChanged.connect(notify);
  shell.currentChanged?.connect(notify);
}

/** Every problem, in a dialog (the toast has room for one). */
function showProblems(name: string, diagnostics: readonly IDiagnostic[]) {
  const body = document.createElement('ul');
  body.className = 'sfn-ProblemDialog';
  for (const d of diagnostics) {
    const li = document.createElement('li');
    li.className = `sfn-Problem sfn-mod-${d.severity === 'ERROR' ? 'error' : d.severity === 'INFO' ? 'info' : 'warning'}`;
    li.textContent = formatDiagnostic(d);
    body.append(li);
  }
  return showDialog({
    title: `${name}: ${plural(diagnostics.length, 'problem')}`,
    body: new Widget({ node: body }),
    buttons: [Dialog.okButton({ label: 'Close' })]
  });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The current document widget when it holds text (a file editor or our split view). */
function currentTextDocument(app: JupyterFrontEnd): DocumentWidget | null {
  const widget = app.shell.currentWidget;
  if (!(widget instanceof DocumentWidget)) {
    return null;
  }
  const model = widget.context.model as { toString?: () => string; sharedModel?: unknown };
  return widget.context.contentsModel?.type === 'notebook' || !model.sharedModel
    ? null
    : widget;
}

export default plugin;
