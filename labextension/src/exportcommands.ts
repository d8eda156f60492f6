/**
 * "Export Graph as SVG/PNG" for the split view: in the graph's context menu, the split view's
 * and the command palette. The file is written beside the state machine (`orders.asl.yaml` →
 * `orders.svg`) through the server's contents API, so it lands where the user works, also on a
 * remote server; a notification names it.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';

import { exportPng, exportSvgText } from './export';
import type { StateMachineDocument } from './widget';

export namespace ExportCommandIDs {
  export const svg = 'sfn-notebook:export-graph-svg';
  export const png = 'sfn-notebook:export-graph-png';
}

/** `dir/orders.asl.yaml` → `dir/orders.svg` (the state machine suffixes dropped). */
export function exportPath(path: string, extension: '.svg' | '.png'): string {
  const dir = PathExt.dirname(path);
  const stem = PathExt.basename(path).replace(/(\.asl)?\.(json|ya?ml)$/i, '') || 'state-machine';
  return dir ? `${dir}/${stem}${extension}` : `${stem}${extension}`;
}

async function base64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...Array.from(bytes.subarray(i, i + 0x8000)));
  }
  return btoa(text);
}

export function addExportCommands(
  app: JupyterFrontEnd,
  tracker: WidgetTracker<StateMachineDocument>,
  palette: ICommandPalette | null
): void {
  const { commands } = app;
  // The split view last focused: from a context menu or the palette it need not be current.
  const current = (): StateMachineDocument | null => tracker.currentWidget;
  const svgOf = (widget: StateMachineDocument | null): SVGSVGElement | null =>
    widget?.content.graphPanel.zoom.svg ?? null;

  const run = async (
    kind: 'svg' | 'png',
    widget: StateMachineDocument | null = current()
  ): Promise<string | undefined> => {
    const svg = svgOf(widget);
    if (!widget || !svg) {
      Notification.warning('There is no graph to export yet', { autoClose: 4000 });
      return undefined;
    }
    const path = exportPath(widget.context.path, kind === 'svg' ? '.svg' : '.png');
    const contents = app.serviceManager.contents;
    try {
      if (kind === 'svg') {
        await contents.save(path, { type: 'file', format: 'text', content: exportSvgText(svg) });
      } else {
        const png = await exportPng(svg);
        await contents.save(path, { type: 'file', format: 'base64', content: await base64(png) });
      }
    } catch (reason) {
      Notification.error(
        `Could not export the graph: ${reason instanceof Error ? reason.message : String(reason)}`,
        { autoClose: false }
      );
      return undefined;
    }
    Notification.success(`Graph saved as ${path}`, { autoClose: 4000 });
    return path;
  };

  const isEnabled = () => svgOf(tracker.currentWidget) !== null;
  commands.addCommand(ExportCommandIDs.svg, {
    label: 'Export State Machine Graph as SVG',
    caption: 'Save the graph beside the file, as an SVG drawing',
    isEnabled,
    execute: () => run('svg')
  });
  commands.addCommand(ExportCommandIDs.png, {
    label: 'Export State Machine Graph as PNG',
    caption: 'Save the graph beside the file, as a PNG image',
    isEnabled,
    execute: () => run('png')
  });
  let rank = 10;
  for (const command of [ExportCommandIDs.svg, ExportCommandIDs.png]) {
    app.contextMenu.addItem({ command, selector: '.sfn-StateMachineDocument', rank: rank++ });
    palette?.addItem({ command, category: 'Step Functions' });
  }
  // The same two on the graph's zoom toolbar, as on the notebook widget's.
  tracker.widgetAdded.connect((_, widget) => {
    const toolbar = widget.content.graphPanel.zoom.toolbar;
    const doc = toolbar.ownerDocument;
    const gap = doc.createElement('span');
    gap.className = 'sfn-zoom-sep';
    toolbar.append(gap);
    for (const [label, kind, command] of [
      ['SVG', 'svg', ExportCommandIDs.svg],
      ['PNG', 'png', ExportCommandIDs.png]
    ]) {
      const button = doc.createElement('button');
      button.type = 'button';
      button.className = `sfn-zoom-button sfn-export-${kind}`;
      button.textContent = label;
      button.title = `${commands.label(command)} (beside the file)`;
      button.addEventListener('click', () => void run(kind as 'svg' | 'png', widget));
      toolbar.append(button);
    }
  });
}
