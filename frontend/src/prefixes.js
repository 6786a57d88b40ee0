// The zh editor starts lines with their element's prefix (Enter after a heading gives "人物：", after
// the 人物 line "△"). A writer who does not know this types the prefix again: "人物：人物：林晚" would
// then list a character called "人物：林晚", and "△△" prints two triangles. When a writer's own typing
// doubles a prefix at the start of the line, the second one goes.
import { EditorView } from "@codemirror/view";
import { formatFacet } from "./format.js";

const DOUBLED = [
  /^(\s*(?:出场)?人物\s*[:：]\s*)((?:出场)?人物\s*[:：]\s*)/, // 人物：人物：
  /^(\s*[△▲]\s*)([△▲]\s*)/, // △△
];

/** The range (offsets in the line) of a doubled prefix to delete, or null. */
export function doubledPrefix(lineText) {
  for (const re of DOUBLED) {
    const m = re.exec(lineText);
    if (m) return { from: m[1].length, to: m[1].length + m[2].length };
  }
  return null;
}

/** Extension: after the writer's own input (never a colleague's, never mid-composition), undouble. */
export const undoublePrefixes = EditorView.updateListener.of((u) => {
  if (!u.docChanged || u.view.composing || u.state.facet(formatFacet) !== "zh") return;
  if (!u.transactions.some((tr) => tr.isUserEvent("input.type") || tr.isUserEvent("input.paste"))) return;
  const sel = u.state.selection.main;
  if (!sel.empty) return;
  const line = u.state.doc.lineAt(sel.head);
  const hit = doubledPrefix(line.text);
  if (!hit) return;
  // Not inside this update: a view may not dispatch while it is applying one.
  queueMicrotask(() => {
    const view = u.view;
    if (view.state.doc.lineAt(view.state.selection.main.head).text !== line.text) return;
    const now = view.state.doc.lineAt(view.state.selection.main.head);
    view.dispatch({ changes: { from: now.from + hit.from, to: now.from + hit.to }, userEvent: "delete" });
  });
});
