// Keyboard-first element flow (in the spirit of Final Draft).
//
// zh (Chinese micro-drama)
//   Enter at the end of a line starts the natural next element:
//     第N集 line   -> new line with the next scene number ("N-1 ")
//     scene line  -> "人物："
//     人物 line    -> "△"
//     △ action    -> "△"
//     【cue】      -> "△"
//     dialogue    -> empty line (type the next "名字：")
//   Enter on a line holding only a prefix ("△", "人物：", "：", "【】", "1-2 ")
//   clears it instead, so a second Enter on an empty "△" gives an empty line.
//   Enter elsewhere in a line splits it as usual.
//   Tab cycles the line's element: plain -> △ action -> 角色： dialogue ->
//   【】 cue -> scene heading -> plain.  Shift-Tab cycles backwards.  (人物 and
//   other lines count as plain; the 第N集 line is left alone.)
//
// fountain
//   Enter at the end of a character cue upper-cases it and opens its dialogue
//   line; at the end of dialogue, action, scene heading or transition it
//   leaves a blank line and starts a new paragraph (action); after a
//   parenthetical it continues the dialogue.  Enter on an empty cue cancels it.
//   Tab: on an empty line -> character cue (typed text is upper-cased; a cue
//   without Latin capitals, e.g. a Chinese name, gets the "@" force on Enter);
//   again -> transition ("> "); again -> scene heading ("INT. "); again -> action.
//   Tab on an action line turns it into a character cue (upper case);
//   Tab in dialogue inserts a parenthetical "()" line with the cursor inside;
//   Tab in a parenthetical opens the next dialogue line; Tab on a cue moves to
//   its dialogue.  Shift-Tab undoes one step (unwraps a parenthetical, turns a
//   cue, transition or forced heading back into action).
//
// Both: Shift-Enter inserts a plain line break; Mod-z / Mod-Shift-z (Mod-y)
// undo / redo; Esc then Tab moves keyboard focus out of the editor.
import { EditorSelection } from "@codemirror/state";
import { insertNewline } from "@codemirror/commands";
import {
  formatFacet, cueModeField, setCueMode, lineType, nextZhSceneNumber,
} from "./format.js";
import { parseZhScene, reZhDialogue } from "./classify.js";

function replaceLine(view, line, text, cursor, extra = {}) {
  view.dispatch({
    changes: { from: line.from, to: line.to, insert: text },
    selection: EditorSelection.cursor(line.from + cursor),
    scrollIntoView: true,
    userEvent: "input",
    ...extra,
  });
  return true;
}

function cursorLine(view) {
  const sel = view.state.selection.main;
  if (!sel.empty || view.state.readOnly || view.composing) return null;
  return view.state.doc.lineAt(sel.head);
}

// ------------------------------------------------------------------- zh
const ZH_PREFIX_ONLY = /^\s*(?:[△▲]|(?:出场)?人物\s*[:：]|[:：]|【\s*】)\s*$/;

function zhEnter(view) {
  const line = cursorLine(view);
  if (!line) return false;
  const { state } = view;
  const type = lineType(state, line.number);
  const sc = type === "scene" ? parseZhScene(line.text) : null;
  if (ZH_PREFIX_ONLY.test(line.text) || (sc && !line.text.slice(sc.len).trim())) {
    return replaceLine(view, line, "", 0);
  }
  if (state.selection.main.head !== line.to || !line.text.trim()) return false;
  let next = "";
  if (type === "episode") next = nextZhSceneNumber(state, line.number) + " ";
  else if (type === "scene") next = "人物：";
  else if (type === "cast" || type === "action" || type === "cue") next = "△";
  const insert = "\n" + next;
  view.dispatch({
    changes: { from: line.to, insert },
    selection: EditorSelection.cursor(line.to + insert.length),
    scrollIntoView: true,
    userEvent: "input",
  });
  return true;
}

const ZH_CYCLE = ["plain", "action", "dialogue", "cue", "scene"];

function zhBody(text, type) {
  const t = text.trim();
  switch (type) {
    case "action": return t.replace(/^[△▲]\s*/, "");
    case "dialogue": return /^[:：]/.test(t) ? t.slice(1) : t;
    case "cue": return /^【.*】$/.test(t) ? t.slice(1, -1) : t.replace(/^【/, "");
    case "scene": case "episode": {
      const p = parseZhScene(t);
      return p ? t.slice(p.len).trim() : t;
    }
    case "cast": return t.replace(/^(?:出场)?人物\s*[:：]\s*/, "");
    default: return t;
  }
}

function zhCycle(dir) {
  return (view) => {
    const line = cursorLine(view) || (view.state.readOnly ? null : view.state.doc.lineAt(view.state.selection.main.head));
    if (!line) return !view.state.readOnly;
    const { state } = view;
    const type = lineType(state, line.number);
    if (type === "episode") return true;
    let idx = ZH_CYCLE.indexOf(type);
    if (idx < 0) idx = 0;
    const target = ZH_CYCLE[(idx + dir + ZH_CYCLE.length) % ZH_CYCLE.length];
    const body = zhBody(line.text, type);
    switch (target) {
      case "plain": return replaceLine(view, line, body, body.length);
      case "action": return replaceLine(view, line, "△" + body, body.length + 1);
      case "dialogue": {
        const m = reZhDialogue.exec(body);
        if (m && m[2]) return replaceLine(view, line, body, body.length);
        return replaceLine(view, line, "：" + body, 0);
      }
      case "cue": return replaceLine(view, line, "【" + body + "】", body.length + 1);
      case "scene": {
        const t = nextZhSceneNumber(state, line.number - 1) + " " + body;
        return replaceLine(view, line, t, t.length);
      }
    }
    return true;
  };
}

// ------------------------------------------------------------- fountain
const isBlankLine = (state, n) => n < 1 || n > state.doc.lines || !state.doc.line(n).text.trim();

/** Replace line `line` by `text`, making sure a blank line precedes it. */
function replaceWithBlankBefore(view, line, text, cursor, effects) {
  const needBlank = !isBlankLine(view.state, line.number - 1);
  const pre = needBlank ? "\n" : "";
  view.dispatch({
    changes: { from: line.from, to: line.to, insert: pre + text },
    selection: EditorSelection.cursor(line.from + pre.length + cursor),
    effects: effects(line.from + pre.length),
    scrollIntoView: true,
    userEvent: "input",
  });
  return true;
}

function cueText(text) {
  const t = text.trim();
  if (t[0] === "@") return t;
  const up = t.toUpperCase();
  return /\p{Lu}/u.test(up) ? up : "@" + t; // CJK names need the "@" force
}

function ftnEnter(view) {
  const line = cursorLine(view);
  if (!line) return false;
  const { state } = view;
  const head = state.selection.main.head;
  const type = lineType(state, line.number);
  const inCueMode = state.field(cueModeField, false) === line.from;
  if (inCueMode || (type === "character" && head === line.to)) {
    if (!line.text.trim()) return replaceLine(view, line, "", 0, { effects: setCueMode.of(null) });
    const name = cueText(line.text);
    return replaceLine(view, line, name + "\n", name.length + 1, { effects: setCueMode.of(null) });
  }
  if (head !== line.to || !line.text.trim()) return false;
  let insert;
  if (type === "parenthetical") insert = "\n";
  else if (["dialogue", "action", "scene", "transition", "centered"].includes(type)) insert = "\n\n";
  else return false;
  view.dispatch({
    changes: { from: head, insert },
    selection: EditorSelection.cursor(head + insert.length),
    scrollIntoView: true,
    userEvent: "input",
  });
  return true;
}

function ftnTab(view) {
  const line = cursorLine(view);
  if (!line) return !view.state.readOnly;
  const { state } = view;
  const head = state.selection.main.head;
  const type = lineType(state, line.number);
  const t = line.text.trim();
  const inCueMode = state.field(cueModeField, false) === line.from;
  if (inCueMode) {
    if (!t) return replaceLine(view, line, "> ", 2, { effects: setCueMode.of(null) });
    const name = cueText(line.text);
    return replaceLine(view, line, name + "\n", name.length + 1, { effects: setCueMode.of(null) });
  }
  if (t === ">") return replaceWithBlankBefore(view, line, "INT. ", 5, () => []);
  if (/^(INT|EXT)\.?$/i.test(t)) return replaceLine(view, line, "", 0);
  if (type === "dialogue" || (type === "parenthetical" && !t)) {
    if (!t) return replaceLine(view, line, "()", 1);
    const off = head - line.from;
    if (head === line.to) return replaceLine(view, line, line.text + "\n()", line.length + 2);
    if (off === 0) return replaceLine(view, line, "()\n" + line.text, 1);
    return replaceLine(view, line, line.text.slice(0, off).trimEnd() + "\n()\n" + line.text.slice(off).trimStart(), off + 2);
  }
  if (type === "parenthetical") {
    view.dispatch({ changes: { from: line.to, insert: "\n" }, selection: EditorSelection.cursor(line.to + 1), scrollIntoView: true, userEvent: "input" });
    return true;
  }
  if (type === "character") {
    const next = line.number < state.doc.lines ? state.doc.line(line.number + 1) : null;
    if (next && next.text.trim()) {
      view.dispatch({ selection: EditorSelection.cursor(next.to), scrollIntoView: true });
    } else {
      view.dispatch({ changes: { from: line.to, insert: "\n" }, selection: EditorSelection.cursor(line.to + 1), scrollIntoView: true, userEvent: "input" });
    }
    return true;
  }
  if (type === "action" || type === "blank") {
    const name = t ? cueText(line.text) : "";
    return replaceWithBlankBefore(view, line, name, name.length, (pos) => [setCueMode.of(pos)]);
  }
  return true; // swallow Tab elsewhere (Esc then Tab leaves the editor)
}

function ftnShiftTab(view) {
  const line = cursorLine(view);
  if (!line) return !view.state.readOnly;
  const { state } = view;
  const type = lineType(state, line.number);
  const t = line.text.trim();
  const inCueMode = state.field(cueModeField, false) === line.from;
  if (inCueMode && !t) { view.dispatch({ effects: setCueMode.of(null) }); return true; }
  if (t === ">") return replaceLine(view, line, "", 0, { effects: setCueMode.of(line.from) });
  if (/^(INT|EXT)\.?$/i.test(t)) return replaceLine(view, line, "> ", 2);
  if (type === "parenthetical") {
    const inner = t.replace(/^\(/, "").replace(/\)$/, "");
    return replaceLine(view, line, inner, inner.length);
  }
  if (type === "character") {
    let s = t[0] === "@" ? t.slice(1) : "!" + t;
    return replaceLine(view, line, s, s.length, { effects: setCueMode.of(null) });
  }
  if ((type === "transition" || type === "scene") && /^[>.]/.test(t)) {
    const s = t.slice(1).trimStart();
    return replaceLine(view, line, s, s.length);
  }
  return true;
}

// ---------------------------------------------------------------- keymap
const byFormat = (zh, ftn) => (view) =>
  (view.state.facet(formatFacet) === "fountain" ? ftn : zh)(view);

export const scriptKeymap = [
  { key: "Enter", run: byFormat(zhEnter, ftnEnter) },
  { key: "Shift-Enter", run: insertNewline },
  { key: "Tab", run: byFormat(zhCycle(1), ftnTab) },
  { key: "Shift-Tab", run: byFormat(zhCycle(-1), ftnShiftTab) },
];

// ------------------------------------------------------------- help text
const HELP = {
  zh: {
    zh: [
      "回车（行尾）：自动进入下一个元素——集标题后出场次号，场次后“人物：”，人物行后“△”，△动作后继续“△”，台词后空行（输入“名字：”）。",
      "在只有“△”“人物：”等前缀的行上再按回车：清空该行。",
      "Tab：切换本行类型 普通 → △动作 → 角色：台词 → 【提示】 → 场次标题 → 普通；Shift+Tab 反向。",
      "Shift+回车：普通换行。Ctrl/⌘+Z 撤销，Ctrl/⌘+Shift+Z 或 Ctrl+Y 重做。",
      "先按 Esc 再按 Tab：把焦点移出编辑器。",
    ],
    en: [
      "Enter at the end of a line starts the next element: episode line → scene number, scene → \"人物：\", cast → \"△\", △ action → \"△\", dialogue → empty line (type \"Name：\").",
      "Enter on a line holding only a prefix (\"△\", \"人物：\" …) clears it.",
      "Tab cycles the line type: plain → △ action → Name： dialogue → 【cue】 → scene heading → plain; Shift+Tab goes back.",
      "Shift+Enter: plain line break. Ctrl/Cmd+Z undo, Ctrl/Cmd+Shift+Z or Ctrl+Y redo.",
      "Esc then Tab moves focus out of the editor.",
    ],
  },
  fountain: {
    zh: [
      "回车：角色名行尾 → 转大写并进入台词行；台词、动作、场景标题、转场行尾 → 空一行开始新段落（动作）；括号提示后 → 继续台词。",
      "Tab：空行 → 角色名（自动大写）→ 转场 → 场景标题（INT.）→ 动作；动作行 → 角色名；台词中 → 插入括号提示 ()；括号提示中 → 下一行台词。",
      "Shift+Tab：退回一步（去掉括号、角色名/转场/强制场景标题改回动作）。",
      "Shift+回车：普通换行。Ctrl/⌘+Z 撤销，Ctrl/⌘+Shift+Z 或 Ctrl+Y 重做。先按 Esc 再按 Tab：把焦点移出编辑器。",
    ],
    en: [
      "Enter: at the end of a CHARACTER cue → upper-case it and start the dialogue; after dialogue, action, scene heading or transition → blank line and a new action paragraph; after a (parenthetical) → more dialogue.",
      "Tab: empty line → character cue (typed in capitals) → transition → scene heading (INT.) → action; action line → character cue; in dialogue → insert a (parenthetical); in a parenthetical → next dialogue line.",
      "Shift+Tab: one step back (unwrap a parenthetical; cue, transition or forced heading back to action).",
      "Shift+Enter: plain line break. Ctrl/Cmd+Z undo, Ctrl/Cmd+Shift+Z or Ctrl+Y redo. Esc then Tab moves focus out of the editor.",
    ],
  },
};

/** Plain-text help lines (no HTML markup, no < > &), for format "zh"|"fountain" in lang "zh"|"en". */
export function keymapHelpLines(format, lang) {
  const f = HELP[format === "fountain" ? "fountain" : "zh"];
  return (f[lang === "en" ? "en" : "zh"]).slice();
}

/** The same lines joined with "\n" (for element.textContent with white-space: pre-line). */
export function keymapHelp(format, lang) {
  return keymapHelpLines(format, lang).join("\n");
}
