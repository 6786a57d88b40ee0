// SmartType: completion as Final Draft users expect it, in both script formats.
//
//   zh:       a cue at the start of a line (names of this scene's 人物 line, then the bible's and
//             the script's, accepted as "林晚："); the names on a 人物： line; in a heading
//             "1-1 日 内 地点" the time of day, then 内/外, then the location; transitions (切至,
//             淡出...) at line start. Only character names are offered: a note in brackets
//             ("苏晓（旁观）") is no part of a name, and group words (全员, 众人, 所有人) name nobody.
//   fountain: INT./EXT. at the start of a heading, then the location, then " - " and the time
//             of day; a CHARACTER cue (upper case, after a blank line, or in cue mode), with
//             the transitions (CUT TO:...) among them.
// Nothing pops up in dialogue or action. Tab and Enter accept (src/features.js binds Tab).
//
// `smartContext` is pure (node --test): given the line up to the cursor, the line before and the
// names known, it says what to offer and from which column.

export const ZH_TIMES = ["日", "夜", "晨", "昏", "黄昏", "清晨", "傍晚", "深夜", "凌晨"];
export const ZH_PLACES = ["内", "外", "内外"];
export const ZH_TRANSITIONS = ["切至：", "转场：", "黑屏", "淡入", "淡出", "叠化", "【闪回】", "【闪回结束】", "【字幕】"];
export const FOUNTAIN_PREFIXES = ["INT. ", "EXT. ", "INT./EXT. "];
export const FOUNTAIN_TIMES = ["DAY", "NIGHT", "MORNING", "EVENING", "DAWN", "DUSK", "CONTINUOUS", "LATER", "MOMENTS LATER"];
export const FOUNTAIN_TRANSITIONS = ["CUT TO:", "SMASH CUT TO:", "MATCH CUT TO:", "DISSOLVE TO:", "FADE OUT.", "FADE TO BLACK.", "JUMP CUT TO:"];

// "1-1 ", "场1-1 ", "第1-1场 ", "12、" : the heading's number and the separator after it.
const reZhHeadingStart = /^\s*(?:场景?|第)?\s*[0-9０-９]+(?:\s*[-－—–_.．]\s*[0-9０-９]+)?\s*场?(?:[\s\u3000]+|[、.．:：]\s*)/;
const reZhCast = /^\s*(?:出场)?人物\s*[:：]/;
const reFountainHeading = /^\s*(?:INT\.?\/EXT|EXT\.?\/INT|I\/E|INT|EXT|EST)[.\s]\s*/i;
const reFountainForced = /^\.(?=[^.])/;
const reZhTimeWord = new RegExp(`^(?:${ZH_TIMES.join("|")}|白天|夜晚|晚上|早上|中午|午)$`);
const reZhPlaceWord = /^(?:内|外|内外|外内)$/;
const ZH_STOP = "：:△▲【（(";

function uniq(list) {
  const seen = new Set();
  const out = [];
  for (const x of list) {
    const s = String(x || "").trim();
    if (s && !seen.has(s)) { seen.add(s); out.push(s); }
  }
  return out;
}

function startsWithCI(label, typed) {
  return label.toUpperCase().startsWith(typed.toUpperCase());
}

/** The options that start with what is typed and would change something if accepted. */
function offer(options, typed) {
  return options.filter((o) => startsWithCI(o.label, typed) && (o.apply || o.label) !== typed);
}

// Words a 人物 line uses for a crowd: nobody in particular, never offered as a name (as the server's
// formats/elements.CAST_GROUP_WORDS).
export const GROUP_WORDS = new Set(["全员", "众人", "所有人", "前场所有人", "全体", "大家", "其他人", "群演", "众"]);
const CAST_OPENS = "（(【[";
const CAST_CLOSES = "）)】]";
const CAST_SPLIT = "、，,/／；;";
const CAST_ENDS = /[。．！!？?]+$/;

/** Whether a name may be offered: a name, not a group word, no bracket in it. */
export function isName(name) {
  const s = String(name || "").trim();
  return !!s && !GROUP_WORDS.has(s) && ![...CAST_OPENS, ...CAST_CLOSES].some((b) => s.includes(b));
}

/** The names of a 人物 line's list, as the server's formats/elements.split_cast reads them: split
 *  outside brackets, a bracketed note after a name dropped ("苏晓（旁观）" is 苏晓), group words (全员,
 *  众人) left out, a full stop after the last name not part of it. */
export function splitCast(text) {
  const names = [];
  let depth = 0;
  let start = 0;
  const lastClose = Math.max(...[...CAST_CLOSES].map((c) => text.lastIndexOf(c)));
  const s = text + "、";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (CAST_OPENS.includes(ch) && i < lastClose) depth += 1;
    else if (CAST_CLOSES.includes(ch) && depth) depth -= 1;
    else if (i === text.length || (!depth && (CAST_SPLIT.includes(ch) || /[\s\u3000]/.test(ch)))) {
      let part = text.slice(start, i).trim();
      start = i + 1;
      const cuts = [...CAST_OPENS].map((b) => part.indexOf(b)).filter((n) => n >= 0);
      if (cuts.length) part = part.slice(0, Math.min(...cuts));
      const name = part.trim().replace(CAST_ENDS, "").trim();
      if (isName(name)) names.push(name);
    }
  }
  return uniq(names);
}

/** Names on a 人物 line, e.g. "人物：林晚、顾辰（旁观）、全员" -> ["林晚", "顾辰"]. */
export function castNames(line) {
  const m = reZhCast.exec(line || "");
  if (!m) return [];
  return splitCast(line.slice(m[0].length));
}

/**
 * What to offer at the cursor.
 *   before:   the cursor's line up to the cursor; after: the rest of it
 *   prevLine: the line before ("" for none)
 *   format:   "zh" | "fountain"
 *   data:     {characters: [name...], locations: [name...], cast: [names of this scene's 人物 line]}
 *   lineType: the editor's element type of the line ("dialogue", "action"...), when known
 *   cueMode:  the fountain line is in cue mode (Tab)
 * Returns null, or {kind, from (column in the line), options: [{label, apply?, type}]}.
 */
export function smartContext({ before, after = "", prevLine = "", format, data = {}, lineType = "", cueMode = false }) {
  const characters = uniq(data.characters || []).filter(isName);
  const locations = uniq(data.locations || []);
  if (format === "fountain") return fountainContext(before, prevLine, characters, locations, lineType, cueMode);
  return zhContext(before, after, characters, locations, uniq(data.cast || []).filter(isName), lineType);
}

function zhContext(before, after, characters, locations, cast, lineType) {
  const cm = reZhCast.exec(before);
  if (cm) {
    // The name being typed: after the colon or the last separator.
    let from = cm[0].length;
    for (let i = before.length - 1; i >= from; i--) {
      if ("、，,;； \u3000".includes(before[i])) { from = i + 1; break; }
    }
    const listed = new Set(castNames(before.slice(0, from)));
    const typed = before.slice(from);
    const options = offer(characters.filter((n) => !listed.has(n)).map((n) => ({ label: n, type: "character" })), typed);
    return options.length ? { kind: "cast", from, options } : null;
  }
  const hm = reZhHeadingStart.exec(before);
  if (hm && (lineType === "scene" || lineType === "" || lineType === "plain" || lineType === "action")) {
    const rest = before.slice(hm[0].length);
    const words = rest.split(/[\s\u3000]+/);
    const typed = words.pop();
    const from = before.length - typed.length;
    const hasTime = words.some((w) => reZhTimeWord.test(w));
    const hasPlace = words.some((w) => reZhPlaceWord.test(w));
    let pool;
    let kind;
    if (!hasTime && words.length === 0) { pool = ZH_TIMES.map((t) => ({ label: t, apply: t + " ", type: "time" })); kind = "time"; }
    else if (hasTime && !hasPlace && words.length === 1) { pool = ZH_PLACES.map((t) => ({ label: t, apply: t + " ", type: "place" })); kind = "place"; }
    else { pool = locations.map((n) => ({ label: n, type: "location" })); kind = "location"; }
    // A typed time or place word in the "wrong" slot still gets the locations, and vice versa.
    const options = offer(pool, typed);
    if (!options.length && kind !== "location" && typed) {
      const locs = offer(locations.map((n) => ({ label: n, type: "location" })), typed);
      return locs.length ? { kind: "location", from, options: locs } : null;
    }
    return options.length ? { kind, from, options } : null;
  }
  // A cue: at the start of a line, before any colon (after it is dialogue: nothing pops up).
  if (lineType === "dialogue" || lineType === "parenthetical" || lineType === "scene" || lineType === "episode") {
    // The editor calls "林" + "：" dialogue only once the colon is there; before it, it is a cue.
    if (/[：:]/.test(before)) return null;
  }
  for (const ch of before) if (ZH_STOP.includes(ch)) return null;
  const typed = before.trimStart();
  if (!typed || typed.length > 12 || /^[0-9０-９第场]/.test(typed) || /\s/.test(typed)) return null;
  const from = before.length - typed.length;
  const names = uniq([...cast, ...characters]);
  // Tab on a line makes it "：" with the cursor before the colon: the name goes in front of it.
  const colonAfter = /^[：:]/.test(after);
  const options = offer(names.map((n) => ({ label: n, apply: colonAfter ? n : n + "：", type: "character" })), typed);
  if (colonAfter) return options.length ? { kind: "cue", from, options } : null;
  options.push(...offer(ZH_TRANSITIONS.map((t) => ({ label: t, type: "transition" })), typed));
  return options.length ? { kind: "cue", from, options } : null;
}

function fountainContext(before, prevLine, characters, locations, lineType, cueMode) {
  const afterBlank = !String(prevLine).trim();
  const hm = reFountainHeading.exec(before) || reFountainForced.exec(before);
  if (hm && afterBlank) {
    const rest = before.slice(hm[0].length);
    const dash = rest.lastIndexOf(" - ");
    if (dash >= 0) {
      const typed = rest.slice(dash + 3);
      const from = before.length - typed.length;
      const options = offer(FOUNTAIN_TIMES.map((t) => ({ label: t, type: "time" })), typed);
      return options.length ? { kind: "time", from, options } : null;
    }
    const typed = rest;
    const from = before.length - typed.length;
    const options = offer(locations.map((n) => ({ label: n.toUpperCase(), apply: n.toUpperCase() + " - ", type: "location" })), typed);
    return options.length ? { kind: "location", from, options } : null;
  }
  if (!afterBlank || lineType === "dialogue" || lineType === "parenthetical") return null;
  const typed = before.trimStart();
  if (/\p{Ll}/u.test(typed) && !cueMode) return null; // lower case after a blank line: action
  if (!typed && !cueMode) return null;
  if (typed.length > 40) return null;
  const from = before.length - typed.length;
  const options = [];
  if (typed && !cueMode && /^(?:I|IN|INT|E|EX|EXT)$/i.test(typed)) {
    for (const p of FOUNTAIN_PREFIXES) if (startsWithCI(p, typed)) options.push({ label: p.trim(), apply: p, type: "heading" });
  }
  options.push(...offer(characters.map((n) => ({ label: n.toUpperCase(), type: "character" })), typed));
  if (typed) options.push(...offer(FOUNTAIN_TRANSITIONS.map((t) => ({ label: t, type: "transition" })), typed));
  return options.length ? { kind: "cue", from, options } : null;
}

/**
 * The CodeMirror completion source. `getData()` returns {characters, locations}; `format(state)`
 * the script format; `lineType(state, lineNumber)` and `cueMode(state, line)` come from the editor.
 */
export function smartTypeSource({ getData, format, lineType, cueMode }) {
  return (context) => {
    const { state, pos } = context;
    const line = state.doc.lineAt(pos);
    const before = line.text.slice(0, pos - line.from);
    const after = line.text.slice(pos - line.from);
    const prevLine = line.number > 1 ? state.doc.line(line.number - 1).text : "";
    const fmt = format(state);
    const data = { ...(getData() || {}) };
    if (fmt === "zh") data.cast = sceneCast(state, line.number);
    const found = smartContext({
      before, after, prevLine, format: fmt, data,
      lineType: lineType ? lineType(state, line.number) || "" : "",
      cueMode: cueMode ? cueMode(state, line) : false,
    });
    if (!found) return null;
    // While the word goes on, CodeMirror filters this list itself (no new query, so Enter or Tab
    // pressed right after a keystroke accepts what is shown); a word that is already complete
    // closes the list, so Enter then ends the line.
    const done = new Set(found.options.map((o) => o.apply || o.label));
    return {
      from: line.from + found.from,
      // Our order (times of day as a script uses them, cast before the rest) beats alphabetical.
      options: found.options.map((o, i) => ({ ...o, boost: 99 - Math.min(i, 198) })),
      validFor: (text) => /^[^\s\u3000、，,;；：:-]*$/.test(text) && !done.has(text),
    };
  };
}

/** The names on the 人物 line of the scene the cursor is in (looking back up to 60 lines). */
function sceneCast(state, lineNumber) {
  for (let n = lineNumber - 1; n >= 1 && n >= lineNumber - 60; n--) {
    const text = state.doc.line(n).text;
    if (reZhCast.test(text)) return castNames(text);
    if (reZhHeadingStart.test(text)) return [];
  }
  return [];
}
