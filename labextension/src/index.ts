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
  ICommandPalette,
  IWidgetTracker,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { PathExt } from '@jupyterlab/coreutils';
import { DocumentWidget } from '@jupyterlab/docregistry';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { Contents } from '@jupyterlab/services';
import { codeCheckIcon } from '@jupyterlab/ui-components';

import { requestValidate } from './api';
import { formatDiagnostic } from './diagnostics';
import { stateMachineIcon } from './icons';
import { NEW_STATE_MACHINE } from './templates';
import { CommandIDs, FACTORY, FILE_TYPE_JSON, FILE_TYPE_YAML } from './tokens';
import { StateMachineDocument, StateMachineFactory } from './widget';

const plugin: JupyterFrontEndPlugin<IWidgetTracker<StateMachineDocument>> = {
  id: 'sfn-notebook:plugin',
  description: 'Step Functions state machines as live graphs beside their editor.',
  autoStart: true,
  requires: [IEditorServices],
  optional: [ICommandPalette, ILauncher, ILayoutRestorer, IDefaultFileBrowser, ILabShell],
  activate
};

function activate(
  app: JupyterFrontEnd,
  editorServices: IEditorServices,
  palette: ICommandPalette | null,
  launcher: ILauncher | null,
  restorer: ILayoutRestorer | null,
  browser: IDefaultFileBrowser | null,
  labShell: ILabShell | null
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
  factory.widgetCreated.connect((_, widget) => {
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
      if (!diagnostics.length) {
        Notification.success(`${name}: valid state machine`, { autoClose: 4000 });
        return diagnostics;
      }
      const errors = diagnostics.filter(d => d.severity === 'ERROR').length;
      const summary = diagnostics.slice(0, 3).map(formatDiagnostic).join('\n');
      const more = diagnostics.length > 3 ? `\n… and ${diagnostics.length - 3} more` : '';
      const text = `${name}: ${diagnostics.length} problem(s)\n${summary}${more}`;
      const actions =
        widget instanceof StateMachineDocument
          ? []
          : [
              {
                label: 'Open as graph',
                callback: () =>
                  void commands.execute('docmanager:open', {
                    path: widget.context.path,
                    factory: FACTORY
                  })
              }
            ];
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
