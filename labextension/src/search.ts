/**
 * Find and replace (Ctrl+F, Edit → Find…) in the split view's editor.
 *
 * JupyterLab's search looks up a provider for the current widget; its file editor provider only
 * accepts widgets whose content *is* a FileEditor, and ours holds one beside the graph. This
 * provider is the same CodeMirror search over the inner editor.
 */
import type { ISharedText, SourceChange } from '@jupyter/ydoc';
import { CodeEditor } from '@jupyterlab/codeeditor';
import { CodeMirrorEditor, EditorSearchProvider } from '@jupyterlab/codemirror';
import type { IFilters, ISearchProvider } from '@jupyterlab/documentsearch';
import type { Widget } from '@lumino/widgets';

import { StateMachineDocument } from './widget';

export class StateMachineSearchProvider
  extends EditorSearchProvider<CodeEditor.IModel>
  implements ISearchProvider
{
  constructor(protected widget: StateMachineDocument) {
    super();
  }

  /** Whether the provider applies to `domain` (the search registry asks before creating one). */
  static isApplicable(domain: Widget): domain is StateMachineDocument {
    return (
      domain instanceof StateMachineDocument && domain.content.editor instanceof CodeMirrorEditor
    );
  }

  /** The registry calls this only for widgets {@link isApplicable} accepted. */
  static createNew(widget: Widget): ISearchProvider {
    return new StateMachineSearchProvider(widget as StateMachineDocument);
  }

  get isReadOnly(): boolean {
    return Boolean(this.editor.getOption('readOnly'));
  }

  get editor(): CodeMirrorEditor {
    return this.widget.content.editor as CodeMirrorEditor;
  }

  get model(): CodeEditor.IModel {
    return this.widget.content.editorWidget.model;
  }

  async startQuery(query: RegExp | null, filters?: IFilters): Promise<void> {
    this._active = true;
    await super.startQuery(query, filters);
    // Start from the cursor, as the file editor does, without moving it.
    await this.highlightNext(true, { from: 'selection-start', scroll: false, select: false });
  }

  async endQuery(): Promise<void> {
    this._active = false;
    await super.endQuery();
  }

  /** Recount matches on edits only while a search is open (the graph edits text too). */
  protected async onSharedModelChanged(
    emitter: ISharedText,
    changes: SourceChange
  ): Promise<void> {
    if (this._active) {
      return super.onSharedModelChanged(emitter, changes);
    }
  }

  /** The selection seeds the search box. */
  getInitialQuery(): string {
    const state = this.editor.state;
    return state.sliceDoc(state.selection.main.from, state.selection.main.to);
  }

  private _active = false;
}
