// Provenance of the script's characters, kept as Yjs text attributes (scripts_app/ai/provenance.py):
//   {ai: "<suggestion id>"}               a model wrote it (set by the server when a proposal is accepted)
//   {ai: "<suggestion id>", edited: 1}    a person typed it inside a model's text
//   no "ai"                               a person's
//
// Yjs gives typed text the attributes of the character on its left, so without help a person typing
// inside or at the end of AI text would pass for the model. After each of this writer's own edits,
// what they inserted is marked: "edited" when it sits strictly inside one AI range (same suggestion on
// both sides), else a person's. The marks are ordinary Yjs formatting: they travel to everyone and
// follow their characters through concurrent edits.
//
// `show(true)` colours AI and AI-edited text in the editor (classes cm-prov-ai, cm-prov-ai-edited) and
// marks each line that a model wrote (cm-prov-line-ai) or partly wrote (cm-prov-line-ai-edited).
import * as Y from "yjs";
import { StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView } from "@codemirror/view";

export const PROVENANCE_ORIGIN = "provenance";
const PERSON = { ai: null, edited: null };

/** Runs of [from, to, origin, suggestion] from a Y.Text delta (origin "human" | "ai" | "ai_edited"). */
export function runsOf(delta) {
  const out = [];
  let pos = 0;
  for (const op of delta) {
    const n = typeof op.insert === "string" ? op.insert.length : 1;
    const a = op.attributes || {};
    const origin = a.ai ? (a.edited ? "ai_edited" : "ai") : "human";
    out.push([pos, pos + n, origin, a.ai || null]);
    pos += n;
  }
  return out;
}

/** Characters by origin (whitespace not counted), as the server counts them. */
export function sharesOf(delta) {
  const counts = { human: 0, ai: 0, ai_edited: 0 };
  for (const op of delta) {
    if (typeof op.insert !== "string") continue;
    const a = op.attributes || {};
    const origin = a.ai ? (a.edited ? "ai_edited" : "ai") : "human";
    counts[origin] += op.insert.replace(/[\s\u3000]/g, "").length;
  }
  return counts;
}

function aiAt(runs, index) {
  for (const [from, to, , ai] of runs) if (index >= from && index < to) return ai;
  return null;
}

/** The attributes a person's insert at [from, to) should have, given the text's runs after it. */
export function personAttrs(runs, from, to) {
  const left = from > 0 ? aiAt(runs, from - 1) : null;
  const right = aiAt(runs, to);
  return left && left === right ? { ai: left, edited: 1 } : PERSON;
}

/** Which origins (not counting whitespace) each line of [from, to) holds, into `lines`. */
function noteLines(doc, lines, from, to, origin, ai) {
  let pos = from;
  while (pos < to) {
    const line = doc.lineAt(pos);
    const end = Math.min(to, line.to);
    if (doc.sliceString(pos, end).trim()) {
      const seen = lines.get(line.number) || { human: false, ai: false, ai_edited: false, ids: new Set() };
      seen[origin] = true;
      if (ai) seen.ids.add(ai);
      lines.set(line.number, seen);
    }
    pos = line.to + 1;
  }
}

/** After a cut at `at` (nothing typed there): "edited" for the character before it when the text on
 *  both sides is one suggestion's, still unedited; else null. */
export function cutAttrs(runs, at) {
  const left = at > 0 ? aiAt(runs, at - 1) : null;
  if (!left || left !== aiAt(runs, at)) return null;
  const run = runs.find(([from, to]) => at - 1 >= from && at - 1 < to);
  return run && run[2] === "ai" ? { ai: left, edited: 1 } : null;
}

const setMarks = StateEffect.define();
const aiMark = Decoration.mark({ class: "cm-prov-ai" });
const editedMark = Decoration.mark({ class: "cm-prov-ai-edited" });

const marksField = StateField.define({
  create: () => Decoration.none,
  update(value, tr) {
    value = value.map(tr.changes);
    for (const e of tr.effects) if (e.is(setMarks)) value = e.value;
    return value;
  },
  provide: (f) => EditorView.decorations.from(f),
});

const theme = EditorView.baseTheme({
  ".cm-prov-ai": { backgroundColor: "rgba(130, 80, 223, 0.16)", borderBottom: "1px dotted #8250df" },
  ".cm-prov-ai-edited": { backgroundColor: "rgba(191, 135, 0, 0.2)", borderBottom: "1px dotted #9a6700" },
  ".cm-prov-line-ai": { boxShadow: "inset 3px 0 0 #8250df" },
  ".cm-prov-line-ai-edited": { boxShadow: "inset 3px 0 0 #bf8700" },
});

export function provenanceTracker({ ytext, undoManager = null }) {
  let view = null;
  let shown = false;
  let queued = false;
  const listeners = new Set();

  function refresh() {
    queued = false;
    if (view && !view.isDestroyed) {
      let marks = Decoration.none;
      if (shown) {
        const doc = view.state.doc;
        const ranges = [];
        const lines = new Map(); // line number -> {origins seen, suggestions}
        for (const [from, to, origin, ai] of runsOf(ytext.toDelta())) {
          const end = Math.min(to, doc.length);
          if (origin === "human" || from >= end) {
            if (from < end) noteLines(doc, lines, from, end, origin, null);
            continue;
          }
          ranges.push((origin === "ai" ? aiMark : editedMark).range(from, end));
          noteLines(doc, lines, from, end, origin, ai);
        }
        // Per line: AI if a model wrote all of it as accepted, AI-edited if a model wrote some of it.
        for (const [n, seen] of lines) {
          if (!seen.ai && !seen.ai_edited) continue;
          const all = !seen.human && !seen.ai_edited;
          const title = (all ? "AI" : "AI, edited") + " · #" + [...seen.ids].join(", #");
          const line = Decoration.line({ class: all ? "cm-prov-line-ai" : "cm-prov-line-ai-edited", attributes: { title } });
          ranges.push(line.range(doc.line(n).from));
        }
        marks = Decoration.set(ranges, true);
      }
      view.dispatch({ effects: setMarks.of(marks) });
    }
    listeners.forEach((fn) => fn());
  }

  function queue() {
    if (queued) return;
    queued = true;
    // Never inside the binding's own update of the editor: after it.
    Promise.resolve().then(refresh);
  }

  function observer(event, tr) {
    // Undo and redo bring text back with the attributes it had: only new typing is marked.
    if (tr.local && tr.origin !== PROVENANCE_ORIGIN && !(undoManager && tr.origin === undoManager)) {
      // This writer's own typing (or undo): mark what it inserted with relative positions, then fix
      // the attributes after the transaction, outside the binding's update.
      const inserted = [];
      const deletedAt = [];
      const insertedAt = new Set();
      let pos = 0;
      for (const op of event.delta) {
        if (op.retain) pos += op.retain;
        else if (op.delete) deletedAt.push(pos);
        else if (op.insert) {
          insertedAt.add(pos);
          const n = typeof op.insert === "string" ? op.insert.length : 1;
          const a = op.attributes || {};
          if (a.ai || a.edited) {
            inserted.push([
              Y.createRelativePositionFromTypeIndex(ytext, pos),
              Y.createRelativePositionFromTypeIndex(ytext, pos + n, -1),
            ]);
          }
          pos += n;
        }
      }
      // A deletion inside AI text (no typing in its place) leaves the model's text edited: the
      // character before the cut says so.
      const cuts = deletedAt.filter((at) => at > 0 && !insertedAt.has(at))
        .map((at) => Y.createRelativePositionFromTypeIndex(ytext, at - 1));
      if (inserted.length || cuts.length) Promise.resolve().then(() => fix(inserted, cuts));
    }
    queue();
  }

  function fix(inserted, cuts = []) {
    const doc = ytext.doc;
    if (!doc) return;
    doc.transact(() => {
      for (const rel of cuts) {
        const at = Y.createAbsolutePositionFromRelativePosition(rel, doc);
        if (!at) continue;
        const mark = cutAttrs(runsOf(ytext.toDelta()), at.index + 1);
        if (mark) ytext.format(at.index, 1, mark);
      }
      for (const [a, b] of inserted) {
        const from = Y.createAbsolutePositionFromRelativePosition(a, doc);
        const to = Y.createAbsolutePositionFromRelativePosition(b, doc);
        if (!from || !to || to.index <= from.index) continue;
        const runs = runsOf(ytext.toDelta());
        ytext.format(from.index, to.index - from.index, personAttrs(runs, from.index, to.index));
      }
    }, PROVENANCE_ORIGIN);
  }

  ytext.observe(observer);

  return {
    extension: [marksField, theme, EditorView.updateListener.of((u) => { view = u.view; })],
    attach(v) { view = v; queue(); },
    show(on) { shown = !!on; queue(); },
    shown: () => shown,
    runs: () => runsOf(ytext.toDelta()),
    shares: () => sharesOf(ytext.toDelta()),
    on(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    destroy() { ytext.unobserve(observer); listeners.clear(); },
  };
}
