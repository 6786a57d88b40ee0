// The live editor's writing features, added to a running session (src/collab.js) without touching
// its own extensions: SmartType, find and replace, revision marks, Ctrl/Cmd+S and the status bar.
//
//   const f = WritersRoomFeatures.install(session, {
//     format: "zh" | "fountain",
//     data: {characters: [...], locations: [...]},   // SmartType's names (from the server)
//     revision: {text, color, tint} | null,          // revision mode (a locked episode)
//     phrases: {...},                                // translations of the search panel
//     onSave(state),                                 // "saving" | "saved" | "failed" (Ctrl+S is bound by the page)
//     onScene({index, count, heading}),              // the cursor's scene (heading in capitals
//   });                                              //  for Fountain), for the status bar
//   f.save() -> Promise, f.setData(d), f.setRevision(r), f.markedLines(), f.openFind()
import { StateEffect, EditorState, Prec } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import {
  autocompletion, acceptCompletion, completionStatus, currentCompletions, startCompletion,
} from "@codemirror/autocomplete";
import { search, searchKeymap, openSearchPanel } from "@codemirror/search";
import { formatFacet, cueModeField, analysisField } from "./format.js";
import { smartTypeSource } from "./smarttype.js";
import { revisionMarks, setRevisionBaseline, markedLines } from "./revisions.js";
import { createSaver } from "./save.js";

/** The scene the cursor is in: {index (0-based, -1 before any heading), count, heading}. */
export function sceneAt(types, lineTexts, lineIndex, format) {
  let index = -1, count = 0, heading = "";
  for (let i = 0; i < types.length; i++) {
    if (types[i] !== "scene") continue;
    if (i <= lineIndex) { index = count; heading = lineTexts(i); }
    count++;
  }
  heading = heading.trim();
  if (format === "fountain") {
    // As the PDF prints it: in capitals, without the forcing dot or the #12A# scene number.
    heading = heading.replace(/^\.(?=[^.])/, "").replace(/\s*#[^#]*#\s*$/, "").toUpperCase();
  }
  return { index, count, heading };
}

const theme = EditorView.baseTheme({
  ".cm-line.wr-revised": { backgroundColor: "var(--wr-rev-tint)", position: "relative", paddingRight: "1.4em" },
  ".cm-line.wr-revised::after": {
    content: '"*"', position: "absolute", right: "0.2em", top: "0", fontWeight: "bold", color: "#333",
  },
  ".cm-tooltip-autocomplete ul li[aria-selected]": { backgroundColor: "#0b5cad", color: "#fff" },
});

export function install(session, opts = {}) {
  const view = session.editor.view;
  let data = opts.data || { characters: [], locations: [] };
  const saver = createSaver(session.provider, { timeout: opts.saveTimeout || 8000 });
  if (opts.onSave) saver.on(opts.onSave);

  const source = smartTypeSource({
    getData: () => data,
    format: (state) => state.facet(formatFacet),
    lineType: (state, n) => {
      const a = state.field(analysisField, false);
      return a ? a.types[n - 1] : "";
    },
    cueMode: (state, line) => state.field(cueModeField, false) === line.from,
  });

  const save = () => saver.save();
  const extensions = [
    // No interaction delay: Tab or Enter right after the list opens accepts, as Final Draft does
    // (a finished word closes the list, so Enter at the end of a line still ends it).
    autocompletion({ override: [source], activateOnTyping: true, icons: false, closeOnBlur: true, interactionDelay: 0 }),
    // Tab accepts like Enter (the completion keymap has Enter); with no list open, Tab keeps its
    // script meaning (src/keys.js).
    Prec.highest(keymap.of([{ key: "Tab", run: acceptCompletion }])),
    search({ top: true }),
    keymap.of(searchKeymap),
    revisionMarks(),
    theme,
    // After "1-2 夜 " or "INT. " is accepted the next part of the heading is offered at once.
    EditorView.updateListener.of((u) => {
      // Tab into a Fountain cue: the cast is offered before a letter is typed.
      const cue = u.state.field(cueModeField, false);
      if (cue != null && cue !== u.startState.field(cueModeField, false)) {
        setTimeout(() => startCompletion(u.view), 0);
        return;
      }
      if (!u.transactions.some((tr) => tr.isUserEvent("input.complete"))) return;
      const { state } = u;
      const head = state.selection.main.head;
      if (/[ -]$/.test(state.sliceDoc(Math.max(0, head - 1), head))) setTimeout(() => startCompletion(u.view), 0);
    }),
  ];
  if (opts.phrases) extensions.push(EditorState.phrases.of(opts.phrases));
  if (opts.onScene) {
    let last = "";
    const report = (state) => {
      const a = state.field(analysisField, false);
      if (!a) return;
      const lineIndex = state.doc.lineAt(state.selection.main.head).number - 1;
      const info = sceneAt(a.types, (i) => state.doc.line(i + 1).text, lineIndex, state.facet(formatFacet));
      const key = JSON.stringify(info);
      if (key !== last) { last = key; opts.onScene(info); }
    };
    extensions.push(EditorView.updateListener.of((u) => { if (u.docChanged || u.selectionSet) report(u.state); }));
    setTimeout(() => report(view.state), 0);
  }
  view.dispatch({ effects: StateEffect.appendConfig.of(extensions) });
  if (opts.revision) view.dispatch({ effects: setRevisionBaseline.of(opts.revision) });

  return {
    save,
    saver,
    setData(d) { data = d || { characters: [], locations: [] }; },
    setRevision(r) { view.dispatch({ effects: setRevisionBaseline.of(r || null) }); },
    markedLines: () => markedLines(view.state),
    openFind: () => openSearchPanel(view),
    completions: () => (completionStatus(view.state) ? currentCompletions(view.state).map((c) => c.label) : []),
    /** What SmartType would offer at the cursor now (labels), without waiting for the popup. */
    query: () => {
      const r = source({ state: view.state, pos: view.state.selection.main.head, explicit: true });
      return r ? r.options.map((o) => o.label) : [];
    },
  };
}

const api = { install, sceneAt };
if (typeof window !== "undefined") window.WritersRoomFeatures = api;
export default api;
