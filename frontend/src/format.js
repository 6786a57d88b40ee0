// CodeMirror glue: format facet, per-line analysis state field, decorations.
import { Facet, StateField, StateEffect, Prec } from "@codemirror/state";
import { EditorView, ViewPlugin, Decoration } from "@codemirror/view";
import {
  classifyFountain, zhLineType, zhDialogueParts, fountainMarks, parseZhScene, reZhEpisode, zhNumber,
} from "./classify.js";

/** "zh" | "fountain" */
export const formatFacet = Facet.define({ combine: (v) => (v.length ? v[0] : "zh") });

// --------------------------------------------------------------- cue mode
// Fountain: Tab turns a line into a character cue before it has any text.
// The field holds that line's start position (or null) and is dropped as
// soon as the cursor leaves the line.
export const setCueMode = StateEffect.define();
export const cueModeField = StateField.define({
  create: () => null,
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setCueMode)) return e.value;
    if (value == null) return null;
    value = tr.changes.mapPos(value, -1);
    const head = tr.state.selection.main.head;
    if (tr.state.doc.lineAt(head).from !== value) return null;
    return value;
  },
});

// --------------------------------------------------------------- analysis
function docLines(doc) {
  const out = new Array(doc.lines);
  let i = 0;
  for (const iter = doc.iterLines(); !iter.next().done;) out[i++] = iter.value;
  return out;
}

function pendingLineOf(state) {
  const sel = state.selection.main;
  if (!sel.empty) return -1;
  const line = state.doc.lineAt(sel.head);
  return line.length === 0 ? line.number - 1 : -1;
}

function analyse(state) {
  const format = state.facet(formatFacet);
  const lines = docLines(state.doc);
  if (format === "fountain") {
    const cuePos = state.field(cueModeField, false);
    const cueLine = cuePos == null ? -1 : state.doc.lineAt(cuePos).number - 1;
    const pending = pendingLineOf(state);
    const { types, states } = classifyFountain(lines, { pendingLine: pending, cueLine });
    return { format, types, states, pending, cueLine };
  }
  return { format, types: lines.map(zhLineType), states: null, pending: -1, cueLine: -1 };
}

/** Per-line element types for the current doc (state.field(analysisField).types[lineNo-1]). */
export const analysisField = StateField.define({
  create: (state) => analyse(state),
  update(value, tr) {
    const st = tr.state;
    if (tr.docChanged || st.facet(formatFacet) !== value.format ||
        tr.startState.field(cueModeField, false) !== st.field(cueModeField, false)) {
      return analyse(st);
    }
    if (value.format === "fountain" && tr.selection && pendingLineOf(st) !== value.pending) return analyse(st);
    return value;
  },
});

export function lineType(state, lineNumber) {
  return state.field(analysisField).types[lineNumber - 1];
}

// ------------------------------------------------------------ decorations
const lineDecoCache = new Map();
function lineDeco(cls, style) {
  const key = cls + "|" + (style || "");
  let d = lineDecoCache.get(key);
  if (!d) {
    d = Decoration.line(style ? { class: cls, attributes: { style } } : { class: cls });
    lineDecoCache.set(key, d);
  }
  return d;
}
const markCache = new Map();
function mark(cls) {
  let d = markCache.get(cls);
  if (!d) markCache.set(cls, (d = Decoration.mark({ class: cls })));
  return d;
}

// visual width of a string in em (CJK ~1em, others ~0.55em)
function emWidth(s) {
  let w = 0;
  for (const c of s) w += /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/.test(c) ? 1 : 0.55;
  return w;
}

const ZH_CUE_KIND = [
  [/闪回|回忆/, "cm-wr-cue-flashback"],
  [/字幕|标题|片名|花字/, "cm-wr-cue-caption"],
  [/VO|OS|画外音|旁白|内心/i, "cm-wr-cue-vo"],
  [/卡点|付费|钩子/, "cm-wr-cue-paywall"],
];

function zhLineDecos(line, type, out) {
  const text = line.text, from = line.from;
  let cls = "cm-wr-" + type;
  let style = null;
  if (type === "episode" || type === "scene") cls += " cm-wr-heading";
  if (type === "cue") {
    for (const [re, c] of ZH_CUE_KIND) if (re.test(text)) { cls += " " + c; break; }
    const m = /【[^】]*】?/.exec(text);
    if (m) out.push(mark("cm-wr-bracket").range(from + m.index, from + m.index + m[0].length));
  }
  if (type === "action") {
    const i = text.search(/[△▲]/);
    out.push(mark("cm-wr-marker").range(from + i, from + i + 1));
  }
  if (type === "scene") {
    const p = parseZhScene(text);
    if (p && p.len) out.push(mark("cm-wr-scene-number").range(from, from + p.len));
  }
  if (type === "cast") {
    const m = /[:：]/.exec(text);
    out.push(mark("cm-wr-label").range(from, from + m.index + 1));
  }
  if (type === "dialogue") {
    const parts = zhDialogueParts(text);
    if (parts) {
      const [nf, nt] = parts.name;
      const cueEnd = parts.colon + 1;
      out.push(mark("cm-wr-character").range(from + nf, from + cueEnd));
      if (parts.ext) out.push(mark("cm-wr-extension").range(from + parts.ext[0], from + parts.ext[1]));
      for (const [a, b] of parts.parens) out.push(mark("cm-wr-parenthetical").range(from + a, from + b));
      if (cueEnd < text.length) out.push(mark("cm-wr-speech").range(from + cueEnd, from + text.length));
      // hanging indent: wrapped lines align with the start of the speech
      const hang = Math.min(8, Math.max(1, emWidth(text.slice(0, cueEnd))));
      style = `--wr-hang:${hang.toFixed(2)}em`;
    }
  }
  out.push(lineDeco(cls, style).range(from));
}

function fountainLineDecos(line, type, state, out) {
  const text = line.text, from = line.from;
  let cls = "cm-wr-" + type;
  if (type === "scene") cls += " cm-wr-heading";
  if (type === "character" && /\^\s*$/.test(text)) cls += " cm-wr-dual";
  if (type === "section") cls += " cm-wr-section-" + Math.min(3, /^\s*(#+)/.exec(text)[1].length);
  out.push(lineDeco(cls).range(from));
  for (const [a, b, c] of fountainMarks(text, type, state)) {
    if (b > a) out.push(mark(c).range(from + a, from + b));
  }
}

function buildDecorations(view) {
  const { state } = view;
  const an = state.field(analysisField);
  const out = [];
  for (const { from, to } of view.visibleRanges) {
    for (let pos = from; pos <= to;) {
      const line = state.doc.lineAt(pos);
      const type = an.types[line.number - 1];
      if (type && type !== "blank") {
        if (an.format === "fountain") fountainLineDecos(line, type, an.states[line.number - 1], out);
        else zhLineDecos(line, type, out);
      }
      pos = line.to + 1;
    }
  }
  return Decoration.set(out, true);
}

export const formatDecorations = ViewPlugin.fromClass(
  class {
    constructor(view) { this.decorations = buildDecorations(view); }
    update(u) {
      if (u.docChanged || u.viewportChanged ||
          u.startState.field(analysisField) !== u.state.field(analysisField)) {
        this.decorations = buildDecorations(u.view);
      }
    }
  },
  { decorations: (v) => v.decorations },
);

// Upper-case typed text on a line put into character-cue mode with Tab.
// (Cues typed freely are upper-cased when Enter is pressed at their end.)
export const cueUppercase = Prec.high(EditorView.inputHandler.of((view, from, to, text) => {
  const { state } = view;
  if (state.facet(formatFacet) !== "fountain" || !/\p{Ll}/u.test(text)) return false;
  const line = state.doc.lineAt(from);
  if (line.number !== state.doc.lineAt(to).number) return false;
  if (state.field(cueModeField, false) !== line.from) return false;
  // (cont'd)/(V.O.) extensions are upper case too; that is the Fountain convention
  const upper = text.toUpperCase();
  view.dispatch({
    changes: { from, to, insert: upper },
    selection: { anchor: from + upper.length },
    userEvent: "input.type",
    scrollIntoView: true,
  });
  return true;
}));

// ------------------------------------------------------- zh scene numbers
/** Next scene number for a heading placed after line `afterLine`, e.g. "1-3", "场2-1" or "4". */
export function nextZhSceneNumber(state, afterLine) {
  const doc = state.doc;
  for (let n = Math.min(afterLine, doc.lines); n >= 1; n--) {
    const text = doc.line(n).text;
    const sc = parseZhScene(text);
    if (sc) {
      if (sc.simple || sc.ep == null || isNaN(sc.ep)) return sc.prefix + (sc.sc + 1);
      return `${sc.prefix}${sc.ep}-${sc.sc + 1}`;
    }
    const ep = reZhEpisode.exec(text);
    if (ep) {
      const num = zhNumber(ep[1]);
      return `${isNaN(num) ? 1 : num}-1`;
    }
  }
  return "1-1";
}
