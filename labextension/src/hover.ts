/**
 * Hover docs in the state machine editor: a field's meaning (in the object it is in, with its
 * query language, whether it is required and its accepted values), an intrinsic function's
 * signature and arity, AWS's extra JSONata functions and the members of `$states`.
 *
 * {@link aslHover} is pure for the unit tests; {@link aslHoverTooltip} is the CodeMirror
 * extension.
 */
import { Extension } from '@codemirror/state';
import { hoverTooltip } from '@codemirror/view';

import type { ICatalog } from './catalog';
import { arity, fieldDoc, fieldMeta, fieldsOf } from './complete';
import { cursorAt, objectContext } from './context';
import { INTRINSIC_DOCS, JSONATA_DOCS, STATES_MEMBERS } from './docs';
import type { SourceFormat } from './locate';

export interface IHoverDoc {
  from: number;
  to: number;
  title: string;
  text: string;
  meta?: string;
}

/** The doc for the word at `pos`, or null when there is nothing to say about it. */
export function aslHover(
  text: string,
  pos: number,
  format: SourceFormat,
  catalog: ICatalog
): IHoverDoc | null {
  let from = pos;
  let to = pos;
  while (from > 0 && /[\w.$]/.test(text[from - 1])) {
    from--;
  }
  while (to < text.length && /[\w.$]/.test(text[to])) {
    to++;
  }
  const word = text.slice(from, to);
  if (!word) {
    return null;
  }
  const arn = resourceDoc(text, pos, catalog);
  if (arn) {
    return arn;
  }
  const intrinsic = catalog.intrinsics.find(f => f.name === word);
  if (intrinsic) {
    return { from, to, title: word, text: INTRINSIC_DOCS[word] ?? '', meta: arity(intrinsic) };
  }
  const member = /^\$states\.(\w+)/.exec(word);
  if (member && STATES_MEMBERS[member[1]]) {
    return { from, to, title: `$states.${member[1]}`, text: STATES_MEMBERS[member[1]] };
  }
  if (word === '$states') {
    return { from, to, title: '$states', text: Object.values(STATES_MEMBERS).join(' ') };
  }
  const fn = catalog.jsonata_functions.find(f => `$${f.name}` === word);
  if (fn) {
    return {
      from,
      to,
      title: word,
      text: JSONATA_DOCS[fn.name] ?? '',
      meta: `AWS's JSONata function · ${arity(fn)}`
    };
  }
  // A field name: followed by its colon (after the closing quote in JSON).
  const key = format === 'json' ? /^"\s*:/ : /^["']?\s*:(\s|$)/;
  if (!key.test(text.slice(to, to + 3))) {
    return null;
  }
  const cursor = cursorAt(text, to, format);
  if (!cursor || cursor.kind !== 'key') {
    return null;
  }
  const context = objectContext(cursor.data, cursor.objectPath);
  const field = fieldsOf(context.kind, catalog).find(f => f.name === word);
  const doc = field ? fieldDoc(context.kind, word) : undefined;
  if (!field || !doc) {
    return null;
  }
  const where = context.kind === 'State' ? 'state' : context.kind;
  const meta = [where, fieldMeta(field)].filter(Boolean).join(' · ');
  return { from, to, title: word, text: doc, meta };
}

/** An integration's ARN under the cursor (a Task's Resource): what it calls, from the catalog. */
function resourceDoc(text: string, pos: number, catalog: ICatalog): IHoverDoc | null {
  let from = pos;
  let to = pos;
  while (from > 0 && /[\w.:$/*-]/.test(text[from - 1])) {
    from--;
  }
  while (to < text.length && /[\w.:$/*-]/.test(text[to])) {
    to++;
  }
  const arn = text.slice(from, to);
  const known = catalog.resources.find(r => r.arn === arn);
  if (known) {
    return { from, to, title: arn, text: known.detail, meta: 'runs locally' };
  }
  if (arn.startsWith(catalog.lambda_arn_prefix) && arn.length > catalog.lambda_arn_prefix.length) {
    const name = arn.slice(catalog.lambda_arn_prefix.length).split(':')[0];
    return {
      from,
      to,
      title: arn,
      text: `A Lambda function: locally, the Python function registered as "${name}" (@sfn.function).`,
      meta: 'runs locally'
    };
  }
  return null;
}

/** The CodeMirror hover extension; `catalog` is awaited (it comes from the server). */
export function aslHoverTooltip(
  format: () => SourceFormat,
  catalog: () => Promise<ICatalog>
): Extension {
  return hoverTooltip(
    async (view, pos) => {
      let data: ICatalog;
      try {
        data = await catalog();
      } catch {
        return null;
      }
      const doc = aslHover(view.state.doc.toString(), pos, format(), data);
      if (!doc) {
        return null;
      }
      return {
        pos: doc.from,
        end: doc.to,
        above: true,
        create: () => {
          const owner = view.dom.ownerDocument;
          const dom = owner.createElement('div');
          dom.className = 'sfn-HoverDoc';
          const title = owner.createElement('div');
          title.className = 'sfn-HoverDoc-title';
          title.textContent = doc.title;
          const body = owner.createElement('div');
          body.className = 'sfn-HoverDoc-text';
          body.textContent = doc.text;
          dom.append(title, body);
          if (doc.meta) {
            const meta = owner.createElement('div');
            meta.className = 'sfn-HoverDoc-meta';
            meta.textContent = doc.meta;
            dom.append(meta);
          }
          return { dom };
        }
      };
    },
    { hideOnChange: true }
  );
}
