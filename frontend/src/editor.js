// Writers' Room script editor: a plain CodeMirror 6 EditorView over one text
// document, with script-format line styling and a keyboard-first element flow.
//
//   const ed = WritersRoomEditor.mount(el, {
//     format: "zh" | "fountain", text, onChange(text, update), readOnly,
//     placeholder, extraExtensions: [],   // e.g. yCollab(...) later
//     history: true,                      // false when a Yjs UndoManager is used
//   });
//   ed.view, ed.getText(), ed.setText(t), ed.focus(), ed.destroy(),
//   ed.setFormat(f), ed.setReadOnly(b), ed.setExtraExtensions([...])
//
// WritersRoomEditor.cm exposes the bundled @codemirror/state and view
// modules: extensions built by another bundle (y-codemirror.next)
// must use these very instances, so build that bundle with @codemirror/*
// mapped to window.WritersRoomEditor.cm (or rebuild this bundle with it).
import * as cmState from "@codemirror/state";
import * as cmView from "@codemirror/view";
import { EditorState, Compartment, Prec, Annotation, Transaction } from "@codemirror/state";
import {
  EditorView, keymap, drawSelection, dropCursor, highlightSpecialChars,
  placeholder as placeholderExt, highlightActiveLine,
} from "@codemirror/view";
import { history, defaultKeymap, historyKeymap } from "@codemirror/commands";
import {
  formatFacet, cueModeField, analysisField, formatDecorations, cueUppercase,
} from "./format.js";
import { scriptKeymap, keymapHelp, keymapHelpLines } from "./keys.js";
import { undoublePrefixes } from "./prefixes.js";
import { classify } from "./classify.js";

const VERSION = "0.1.0";
/** Annotation on transactions made by setText(); onChange is not called for them. */
const external = Annotation.define();

export const DEFAULT_PLACEHOLDER = {
  zh: "第1集 标题\n1-1 日 内 地点\n人物：\n△……",
  fountain: "INT. LOCATION - DAY\n\nAction.\n\nCHARACTER\nDialogue.",
};

function normFormat(f) {
  return f === "fountain" ? "fountain" : "zh";
}

function formatExtensions(format) {
  return [
    formatFacet.of(format),
    EditorView.editorAttributes.of({ class: "wr-editor wr-fmt-" + format }),
    EditorView.contentAttributes.of({ lang: format === "zh" ? "zh-CN" : "en", spellcheck: format === "fountain" ? "true" : "false" }),
  ];
}

function readOnlyExtensions(ro) {
  return [EditorState.readOnly.of(!!ro), EditorView.editable.of(!ro)];
}

export function mount(element, options = {}) {
  if (!element) throw new Error("WritersRoomEditor.mount: no element");
  let format = normFormat(options.format);
  const onChange = typeof options.onChange === "function" ? options.onChange : null;
  const formatComp = new Compartment();
  const roComp = new Compartment();
  const phComp = new Compartment();
  const extraComp = new Compartment();
  const ph = options.placeholder === undefined ? DEFAULT_PLACEHOLDER[format] : options.placeholder;

  const state = EditorState.create({
    doc: options.text || "",
    extensions: [
      formatComp.of(formatExtensions(format)),
      roComp.of(readOnlyExtensions(options.readOnly)),
      phComp.of(ph ? placeholderExt(ph) : []),
      cueModeField,
      analysisField,
      formatDecorations,
      cueUppercase,
      highlightSpecialChars(),
      options.history === false ? [] : history(),
      drawSelection(),
      dropCursor(),
      highlightActiveLine(),
      EditorView.lineWrapping,
      Prec.high(keymap.of(scriptKeymap)),
      undoublePrefixes,
      keymap.of(options.history === false ? defaultKeymap : [...defaultKeymap, ...historyKeymap]),
      EditorView.updateListener.of((u) => {
        if (!onChange || !u.docChanged) return;
        if (u.transactions.every((tr) => tr.annotation(external))) return;
        onChange(u.state.doc.toString(), u);
      }),
      extraComp.of(options.extraExtensions || []),
    ],
  });
  const view = new EditorView({ state, parent: element });

  return {
    view,
    get format() { return format; },
    getText: () => view.state.doc.toString(),
    /** Replace the whole text (not reported to onChange, not merged into typing undo). */
    setText(text) {
      text = text == null ? "" : String(text);
      if (text === view.state.doc.toString()) return;
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        annotations: [external.of(true), Transaction.addToHistory.of(false)],
      });
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
    setFormat(f) {
      format = normFormat(f);
      view.dispatch({ effects: formatComp.reconfigure(formatExtensions(format)) });
    },
    setReadOnly(ro) {
      view.dispatch({ effects: roComp.reconfigure(readOnlyExtensions(ro)) });
    },
    setPlaceholder(text) {
      view.dispatch({ effects: phComp.reconfigure(text ? placeholderExt(text) : []) });
    },
    /** Swap the extra extensions (e.g. attach/detach a Yjs binding). */
    setExtraExtensions(exts) {
      view.dispatch({ effects: extraComp.reconfigure(exts || []) });
    },
    /** Element type of a line (1-based), e.g. "action", "dialogue". */
    lineType(n) {
      return view.state.field(analysisField).types[n - 1];
    },
  };
}

const api = {
  version: VERSION,
  mount,
  keymapHelp,
  keymapHelpLines,
  classify,
  cm: { state: cmState, view: cmView },
};

if (typeof window !== "undefined") window.WritersRoomEditor = api;
export default api;
