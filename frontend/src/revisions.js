// Revision mode: in a locked episode, the lines changed since the last issued draft carry the next
// revision's colour and an asterisk in the right margin, as the shooting script PDF prints them
// (scripts_app/services/shooting_script.py: inserted or replaced elements are marked, a new scene
// entirely, its heading included; blank lines never).
//
// `changedLines(baseline, text)` is pure (node --test): the 0-based numbers of the lines of `text`
// that are not matched, in order, by lines of `baseline` (a longest common subsequence of lines,
// after the common head and tail are set aside, so a typical edit costs next to nothing).
import { StateField, StateEffect, RangeSetBuilder } from "@codemirror/state";
import { EditorView, Decoration } from "@codemirror/view";

const MAX_CELLS = 4_000_000; // beyond this the middle is marked as changed rather than diffed

function norm(line) {
  return line.replace(/\s+$/, "");
}

/** 0-based line numbers of `text` changed or added since `baseline` (blank lines excluded). */
export function changedLines(baseline, text) {
  const a = String(baseline == null ? "" : baseline).split("\n").map(norm);
  const b = String(text == null ? "" : text).split("\n").map(norm);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const changed = [];
  const mark = (j) => { if (b[j].trim()) changed.push(j); };
  if (!am.length || !bm.length || am.length * bm.length > MAX_CELLS) {
    for (let j = 0; j < bm.length; j++) mark(head + j);
    return changed;
  }
  // Lines as small integers, so the table compares numbers, not strings.
  const ids = new Map();
  const id = (line) => { let v = ids.get(line); if (v === undefined) { v = ids.size; ids.set(line, v); } return v; };
  const ai = Int32Array.from(am, id), bi = Int32Array.from(bm, id);
  // LCS table from the end: len[i][j] = LCS of am[i:], bm[j:]
  const n = am.length, m = bm.length;
  const len = new Array(n + 1);
  for (let i = 0; i <= n; i++) len[i] = new Uint32Array(m + 1);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const down = len[i + 1][j], right = len[i][j + 1];
      len[i][j] = ai[i] === bi[j] ? len[i + 1][j + 1] + 1 : (down > right ? down : right);
    }
  }
  let i = 0, j = 0;
  while (j < m) {
    if (i < n && ai[i] === bi[j]) { i++; j++; }
    else if (i < n && len[i + 1][j] >= len[i][j + 1]) i++;
    else { mark(head + j); j++; }
  }
  return changed;
}

/** Set the baseline: {text, color (a revision colour name), tint "#rrggbb", label} or null (off). */
export const setRevisionBaseline = StateEffect.define();

const baselineField = StateField.define({
  create: () => null,
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setRevisionBaseline)) value = e.value;
    return value;
  },
});

function build(state) {
  const base = state.field(baselineField);
  if (!base) return Decoration.none;
  const lines = changedLines(base.text, state.doc.toString());
  const builder = new RangeSetBuilder();
  const deco = Decoration.line({
    class: "wr-revised wr-rev-" + base.color,
    attributes: { "data-revised": base.color, style: "--wr-rev-tint: " + (base.tint || "#dce9ff") },
  });
  for (const n of lines) {
    const line = state.doc.line(n + 1);
    builder.add(line.from, line.from, deco);
  }
  return builder.finish();
}

const marksField = StateField.define({
  create: (state) => build(state),
  update(value, tr) {
    if (tr.docChanged || tr.effects.some((e) => e.is(setRevisionBaseline))) return build(tr.state);
    return value;
  },
  provide: (f) => EditorView.decorations.from(f),
});

/** The extension: add it once, then dispatch setRevisionBaseline.of({...}). */
export function revisionMarks() {
  return [baselineField, marksField];
}

/** 1-based numbers of the lines marked now (for tests and the status bar). */
export function markedLines(state) {
  const out = [];
  const set = state.field(marksField, false);
  if (!set) return out;
  set.between(0, state.doc.length, (from) => { out.push(state.doc.lineAt(from).number); });
  return out;
}
