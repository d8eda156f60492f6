/**
 * A MIME renderer for graph outputs (`application/vnd.sfn-notebook.graph+json`, `{dot, title}`),
 * so a saved notebook redraws its state machine graphs without a kernel.
 *
 * A notebook may be untrusted, so the DOT goes through the same guard as the editor's (graph.ts):
 * only known attributes reach Graphviz and its SVG is sanitized before it reaches the page.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import type { IGraphMimeData } from './api';
import { renderDot } from './graph';
import { GRAPH_MIME_TYPE } from './tokens';
import { ZoomView } from './zoom';

/** Draws one graph output. */
export class GraphOutput extends Widget implements IRenderMime.IRenderer {
  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this._mimeType = options.mimeType;
    this.addClass('sfn-GraphOutput');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[this._mimeType] as unknown as IGraphMimeData | undefined;
    const doc = this.node.ownerDocument;
    const canvas = doc.createElement('div');
    canvas.className = 'sfn-GraphOutput-canvas';
    const parts: HTMLElement[] = [];
    if (data?.title) {
      const title = doc.createElement('div');
      title.className = 'sfn-GraphOutput-title';
      title.textContent = data.title;
      parts.push(title);
    }
    parts.push(canvas);
    this.node.replaceChildren(...parts);
    if (!data || typeof data.dot !== 'string') {
      canvas.textContent = 'Invalid graph output: no DOT text';
      return;
    }
    try {
      const svg = await renderDot(canvas, data.dot);
      // Zoom, pan and fit as in the editor and the widgets; at most 80 % of the window high.
      this._zoom?.dispose();
      this._zoom = new ZoomView(canvas, { maxHeight: Math.round(window.innerHeight * 0.8) });
      canvas.before(this._zoom.toolbar);
      this._zoom.setSvg(svg);
      if (svg.dataset.refused) {
        // A saved output may come from anywhere: say what was left out of the drawing.
        const note = doc.createElement('div');
        note.className = 'sfn-GraphOutput-refused';
        note.textContent = `Ignored graph attributes: ${svg.dataset.refused}`;
        this.node.append(note);
      }
    } catch (reason) {
      canvas.textContent = `Could not lay out the graph: ${
        reason instanceof Error ? reason.message : String(reason)
      }`;
    }
  }

  dispose(): void {
    this._zoom?.dispose();
    super.dispose();
  }

  private _mimeType: string;
  private _zoom?: ZoomView;
}

export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [GRAPH_MIME_TYPE],
  createRenderer: options => new GraphOutput(options)
};

const extension: IRenderMime.IExtension = {
  id: 'sfn-notebook:graph-renderer',
  description: 'Renders sfn-notebook state machine graphs in notebook outputs.',
  rendererFactory,
  // Ahead of text/plain and image/svg+xml: the DOT is the richest form of the graph.
  rank: 0,
  dataType: 'json'
};

export default extension;
