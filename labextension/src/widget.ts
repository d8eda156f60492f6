/**
 * The split view: the file's text editor beside its graph, with the diagnostics under the graph.
 *
 * Every edit (debounced) sends the text to `/sfn-notebook/api/graph`; the reply's DOT is laid out
 * in the browser, states with findings are outlined, and clicking a state or a finding moves the
 * editor's cursor to it. Replies that arrive after a newer request was sent are dropped.
 *
 * The editor is JupyterLab's own `FileEditor` on the document's model, so undo/redo, find and
 * the status bar's line/column work as in the plain editor once the plugin registers the split
 * view with them (index.ts); the findings are also underlined in it (CodeMirror lint).
 */
import { autocompletion } from '@codemirror/autocomplete';
import { lintGutter, lintKeymap, previousDiagnostic, setDiagnostics } from '@codemirror/lint';
import { keymap } from '@codemirror/view';
import { CodeEditor, IEditorServices } from '@jupyterlab/codeeditor';
import { CodeMirrorEditor } from '@jupyterlab/codemirror';
import { ABCWidgetFactory, DocumentRegistry, DocumentWidget } from '@jupyterlab/docregistry';
import { FileEditor } from '@jupyterlab/fileeditor';
import { Panel, SplitPanel, Widget } from '@lumino/widgets';

import { IGraphReply, IStateInfo, requestGraph } from './api';
import { loadCatalog } from './catalog';
import { aslCompletionSource } from './complete';
import {
  IMappedDiagnostic,
  mapDiagnostics,
  outlinedNodes,
  stateAtOffset
} from './diagnostics';
import { graphNodes, renderDot } from './graph';
import { aslHoverTooltip } from './hover';
import { lintDiagnostics } from './lint';
import { formatOf, SourceIndex } from './locate';
import { DEBOUNCE_MS } from './tokens';
import { ZoomView } from './zoom';

/** What the panel shows; also written to `data-status` for tests and styling. */
export type GraphStatus = 'pending' | 'ready' | 'stale' | 'error';

/** The right-hand side: graph, status line and the list of findings. */
export class GraphPanel extends Widget {
  constructor() {
    super();
    this.addClass('sfn-GraphPanel');
    const doc = this.node.ownerDocument;
    this.statusNode = doc.createElement('div');
    this.statusNode.className = 'sfn-GraphPanel-status';
    this.canvas = doc.createElement('div');
    this.canvas.className = 'sfn-GraphPanel-canvas';
    const problems = (this.problemsNode = doc.createElement('div'));
    problems.className = 'sfn-GraphPanel-problems';
    problems.dataset.count = '0';
    this.problemsHeader = doc.createElement('div');
    this.problemsHeader.className = 'sfn-GraphPanel-problemsHeader';
    this.problemList = doc.createElement('ul');
    this.problemList.className = 'sfn-GraphPanel-problemList';
    problems.append(this.problemsHeader, this.problemList);
    // Zoom, pan, fit and follow-the-cursor (zoom.ts, shared with the notebook widgets).
    this.zoom = new ZoomView(this.canvas);
    this.node.append(this.statusNode, this.zoom.toolbar, this.canvas, problems);
    this.setStatus('pending', 'Loading…');
  }

  readonly statusNode: HTMLElement;
  readonly canvas: HTMLElement;
  readonly zoom: ZoomView;
  readonly problemsNode: HTMLElement;
  readonly problemsHeader: HTMLElement;
  readonly problemList: HTMLUListElement;

  /** Show a status; text is always set with textContent (it may echo user input). */
  setStatus(status: GraphStatus, text: string): void {
    this.node.dataset.status = status;
    this.statusNode.textContent = text;
  }
}

/** The editor and the graph panel side by side. */
export class StateMachineView extends SplitPanel {
  constructor(options: StateMachineView.IOptions) {
    super({ orientation: 'horizontal', spacing: 1 });
    this.addClass('sfn-StateMachineView');
    this._context = options.context;
    this.editorWidget = new FileEditor({
      context: options.context,
      factory: options.editorServices.factoryService.newDocumentEditor,
      mimeTypeService: options.editorServices.mimeTypeService
    });
    this.graphPanel = new GraphPanel();
    const right = new Panel();
    right.addClass('sfn-StateMachineView-right');
    right.addWidget(this.graphPanel);
    this.addWidget(this.editorWidget);
    this.addWidget(right);
    this.setRelativeSizes([1, 1]);
    if (this.editor instanceof CodeMirrorEditor) {
      // Underlines, gutter markers and hover messages for the findings; F8 / Shift-F8 move to
      // the next / previous one, Mod-Shift-M lists them.
      // Completion (Ctrl-Space, or as you type) and hover docs from the server's catalog.
      const format = () => formatOf(this._context.path, this._context.model.toString());
      this.editor.injectExtension([
        lintGutter(),
        keymap.of([...lintKeymap, { key: 'Shift-F8', run: previousDiagnostic }]),
        autocompletion({ override: [aslCompletionSource(format, loadCatalog)] }),
        aslHoverTooltip(format, loadCatalog)
      ]);
    }

    this._context.ready.then(() => {
      if (this.isDisposed) {
        return;
      }
      this._context.model.contentChanged.connect(this._onContentChanged, this);
      this.editorWidget.editor.model.selections.changed.connect(this._onCursor, this);
      void this.refresh();
    });
    this._context.pathChanged.connect(() => this._schedule(0), this);
  }

  readonly editorWidget: FileEditor;
  readonly graphPanel: GraphPanel;

  get editor(): CodeEditor.IEditor {
    return this.editorWidget.editor;
  }

  /** The latest diagnostics, placed in the text. */
  get diagnostics(): readonly IMappedDiagnostic[] {
    return this._mapped;
  }

  /** Validate and redraw now; resolves with the server's reply (undefined if superseded). */
  async refresh(): Promise<IGraphReply | undefined> {
    window.clearTimeout(this._timer);
    const seq = ++this._seq;
    this._abort?.abort();
    const abort = (this._abort = new AbortController());
    const text = this._context.model.toString();
    const path = this._context.path;
    this.graphPanel.setStatus('pending', 'Validating…');
    let reply: IGraphReply;
    try {
      reply = await requestGraph(text, baseName(path), abort.signal);
    } catch (reason) {
      if (seq === this._seq) {
        this.graphPanel.setStatus('error', `Validation request failed: ${message(reason)}`);
      }
      return undefined;
    }
    if (seq !== this._seq) {
      return undefined;
    }
    const index = new SourceIndex(text, formatOf(path, text));
    const mapped = mapDiagnostics(index, reply.diagnostics, reply.states);
    let drawn = false;
    if (reply.dot) {
      try {
        const host = this.graphPanel.node.ownerDocument.createElement('div');
        const svg = await renderDot(host, reply.dot);
        if (seq !== this._seq) {
          return undefined;
        }
        // Into the canvas; the first drawing is fitted, redraws keep the user's zoom and scroll.
        this.graphPanel.zoom.setSvg(svg, this._drawnOnce);
        this._drawnOnce = drawn = true;
      } catch (reason) {
        if (seq !== this._seq) {
          return undefined;
        }
        this.graphPanel.setStatus('error', `Could not lay out the graph: ${message(reason)}`);
      }
    }
    this._index = index;
    this._reply = reply;
    this._mapped = mapped;
    this._decorateGraph(mapped, reply.states);
    this._renderProblems(mapped);
    this._underline(index, mapped);
    this._onCursor();
    const errors = mapped.filter(d => d.severity === 'ERROR').length;
    const notes = mapped.filter(d => d.severity === 'INFO').length;
    const warnings = mapped.length - errors - notes;
    if (drawn) {
      const verdict =
        errors || warnings
          ? `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`
          : 'Valid state machine';
      this.graphPanel.setStatus('ready', notes ? `${verdict} (${plural(notes, 'note')})` : verdict);
    } else if (!reply.dot) {
      // Keep the last good drawing, dimmed, while the text does not parse.
      this.graphPanel.setStatus('stale', 'The text is not a JSON/YAML document yet');
    }
    return reply;
  }

  /** Put the cursor on a state's name and scroll to it. */
  revealState(state: IStateInfo): void {
    if (!this._index) {
      return;
    }
    const where = this._index.locate(state.pointer);
    const start = this._index.position(where.offset);
    const end = this._index.position(where.endOffset);
    this.editor.setSelection({ start, end });
    this.editor.revealPosition(start);
    this.editor.focus();
  }

  /** Put the cursor on a finding's position. */
  revealDiagnostic(d: IMappedDiagnostic): void {
    const position = { line: d.line, column: d.column };
    this.editor.setCursorPosition(position);
    this.editor.revealPosition(position);
    this.editor.focus();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    window.clearTimeout(this._timer);
    window.clearTimeout(this._cursorTimer);
    this._abort?.abort();
    this.graphPanel.zoom.dispose();
    super.dispose();
  }

  private _onContentChanged(): void {
    this._schedule(DEBOUNCE_MS);
  }

  private _schedule(delay: number): void {
    window.clearTimeout(this._timer);
    this._timer = window.setTimeout(() => void this.refresh(), delay);
  }

  /** Highlight the node of the state the cursor is in (cheap, but still debounced). */
  private _onCursor(): void {
    window.clearTimeout(this._cursorTimer);
    this._cursorTimer = window.setTimeout(() => {
      if (!this._index || !this._reply || this.isDisposed) {
        return;
      }
      // The index may be older than the text while a refresh is pending; that is fine for a
      // highlight, which the next refresh corrects.
      const cursor = this.editor.getCursorPosition();
      const offset = this._index.offset(cursor.line, cursor.column);
      const current = stateAtOffset(this._index, this._reply.states, offset);
      for (const [id, g] of this._nodes) {
        g.classList.toggle('sfn-mod-current', current?.node === id);
      }
      // Follow the cursor: scroll the graph to the state the caret moved into.
      const g = current ? this._nodes.get(current.node) : undefined;
      if (g && current?.node !== this._followed) {
        this.graphPanel.zoom.reveal(g);
      }
      this._followed = current?.node;
    }, 50);
  }

  private _decorateGraph(mapped: readonly IMappedDiagnostic[], states: readonly IStateInfo[]): void {
    const svg = this.graphPanel.canvas.querySelector('svg');
    this._nodes = svg ? graphNodes(svg) : new Map();
    const byNode = new Map(states.map(s => [s.node, s]));
    const outlined = outlinedNodes(mapped);
    for (const [id, g] of this._nodes) {
      const state = byNode.get(id);
      g.classList.toggle('sfn-mod-error', outlined.get(id) === 'error');
      g.classList.toggle('sfn-mod-warning', outlined.get(id) === 'warning');
      if (state) {
        g.classList.add('sfn-mod-state');
        g.dataset.pointer = state.pointer;
        g.dataset.state = state.name;
        g.onclick = () => this.revealState(state);
      }
    }
  }

  /**
   * Underline the findings in the editor. Only when the editor still holds the text they were
   * computed for: otherwise a newer refresh is on its way, and CodeMirror keeps the previous
   * underlines mapped through the edits meanwhile.
   */
  private _underline(index: SourceIndex, mapped: readonly IMappedDiagnostic[]): void {
    const editor = this.editor;
    if (!(editor instanceof CodeMirrorEditor) || editor.state.doc.toString() !== index.text) {
      return;
    }
    editor.editor.dispatch(setDiagnostics(editor.state, lintDiagnostics(index, mapped)));
  }

  private _renderProblems(mapped: readonly IMappedDiagnostic[]): void {
    const doc = this.graphPanel.node.ownerDocument;
    // With nothing to list, the pane shrinks to its header and the graph gets the room.
    this.graphPanel.problemsNode.dataset.count = String(mapped.length);
    this.graphPanel.problemsHeader.textContent = mapped.length
      ? `Problems (${mapped.length})`
      : 'No problems';
    const items = mapped.map(d => {
      const li = doc.createElement('li');
      li.className = `sfn-Problem sfn-mod-${severityClass(d.severity)}`;
      li.dataset.code = d.code;
      li.dataset.location = d.location;
      li.title = 'Go to this location in the editor';
      const code = doc.createElement('span');
      code.className = 'sfn-Problem-code';
      code.textContent = d.code;
      const text = doc.createElement('span');
      text.className = 'sfn-Problem-message';
      text.textContent = d.message;
      const where = doc.createElement('span');
      where.className = 'sfn-Problem-location';
      where.textContent = `${d.location || '/'} · line ${d.line + 1}`;
      li.append(code, text, where);
      li.onclick = () => {
        this.revealDiagnostic(d);
        this._flash(d.state?.node);
      };
      return li;
    });
    this.graphPanel.problemList.replaceChildren(...items);
  }

  private _flash(node: string | undefined): void {
    const g = node ? this._nodes.get(node) : undefined;
    if (g) {
      g.classList.remove('sfn-mod-flash');
      // Force a reflow so the animation restarts on a second click.
      void g.getBoundingClientRect();
      g.classList.add('sfn-mod-flash');
    }
  }

  private _context: DocumentRegistry.CodeContext;
  private _seq = 0;
  private _timer = 0;
  private _cursorTimer = 0;
  private _abort?: AbortController;
  private _index?: SourceIndex;
  private _reply?: IGraphReply;
  private _mapped: IMappedDiagnostic[] = [];
  private _nodes = new Map<string, SVGGElement>();
  private _drawnOnce = false;
  private _followed: string | undefined;
}

export namespace StateMachineView {
  export interface IOptions {
    context: DocumentRegistry.CodeContext;
    editorServices: IEditorServices;
  }
}

/** The document widget the factory makes. */
export class StateMachineDocument extends DocumentWidget<StateMachineView> {}

/** Opens state machine files (and, via Open With, any JSON/YAML file) in the split view. */
export class StateMachineFactory extends ABCWidgetFactory<
  StateMachineDocument,
  DocumentRegistry.ICodeModel
> {
  constructor(
    options: DocumentRegistry.IWidgetFactoryOptions<StateMachineDocument>,
    private _editorServices: IEditorServices
  ) {
    super(options);
  }

  protected createNewWidget(context: DocumentRegistry.CodeContext): StateMachineDocument {
    const content = new StateMachineView({ context, editorServices: this._editorServices });
    const widget = new StateMachineDocument({ content, context });
    widget.addClass('sfn-StateMachineDocument');
    return widget;
  }
}

function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}

function message(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

function severityClass(severity: string): string {
  return severity === 'ERROR' ? 'error' : severity === 'INFO' ? 'info' : 'warning';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
