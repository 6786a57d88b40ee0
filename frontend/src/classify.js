// Pure line classifiers for the two script formats (no CodeMirror imports, so
// they can be unit-tested with plain `node --test`).
//
// classifyZh(lines) / classifyFountain(lines, opts) take an array of line
// strings and return an array of element type names, one per line:
//
//   zh:       episode | scene | cast | action | dialogue | cue | parenthetical |
//             transition | note | plain | blank
//   fountain: titlepage | scene | action | character | dialogue | parenthetical |
//             transition | centered | section | synopsis | note | boneyard |
//             lyrics | pagebreak | blank
//
// The CSS class for a type is `cm-wr-<type>` (scene and episode lines also get
// `cm-wr-heading`).

// ---------------------------------------------------------------- zh format

const CN_DIGITS = "0-9０-９一二三四五六七八九十百千零〇两";
export const reZhEpisode = new RegExp(`^\\s*第\\s*([${CN_DIGITS}]+)\\s*集`);
// "1-1 日 内 张家客厅", "场1-1 日 内 房间", "第1-1场", "1－2"
export const reZhSceneNum =
  /^\s*(场景?|第)?\s*([0-9０-９]+)\s*[-－—–_.．]\s*([0-9０-９]+)\s*场?(?=[\s\u3000:：、,，]|$)/;
// "1 张三卧室 日内", "场3 码头 夜 外", "12、医院走廊 夜内"
const reZhSceneSimple = /^\s*(场景?|第)?\s*([0-9０-９]+)\s*场?(?:[\s\u3000]+|[、.．:：]\s*)(\S.*)$/;
const reZhTimePlace =
  /(日|夜|晨|早|晚|午|昏|凌晨|清晨|黄昏|傍晚|白天|夜晚|深夜|晚上|早上)\s*[\/／·]?\s*(内|外|内外|外内)(?=[\s\u3000]|$)|(^|[\s\u3000])(日|夜|晨|凌晨|清晨|黄昏|傍晚|白天|夜晚|深夜|内|外|内外|外内)(?=[\s\u3000]|$)/;
const reZhCast = /^\s*(?:出场)?人物\s*[:：]/;
const reZhAction = /^\s*[△▲]/;
const reZhCue = /^\s*【/;
const reZhNote = /^\s*(?:※|注\s*[:：]|备注\s*[:：]|\/\/)/;
const reZhTransition =
  /^\s*[（(]?\s*(?:切至|切到|切换|转场|黑屏|淡入|淡出|叠化|闪白|闪黑|定格)[^（）()]{0,12}[）)]?\s*$|^\s*[-—]{2,}.{0,8}[-—]{2,}\s*$/;
const reZhParenLine = /^\s*[（(][^]*[）)]\s*$/;
// name (1-12 chars, may be empty while typing), optional （OS）/（VO） markers, colon
export const reZhDialogue =
  /^(\s*)([^\s\u3000：:，,。！!？?、；;（）()【】\[\]△▲“”"'‘’…—]{0,12}?)(\s*(?:[（(][^）)]{0,12}[）)]\s*)*)([：:])/;

export function zhNumber(s) {
  // Arabic, full-width or simple Chinese numerals (up to 9999) -> int, else NaN
  s = String(s).replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  if (/^\d+$/.test(s)) return parseInt(s, 10);
  const d = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
  const u = { 十: 10, 百: 100, 千: 1000 };
  let total = 0, cur = 0;
  for (const c of s) {
    if (c in d) cur = d[c];
    else if (c in u) { total += (cur || 1) * u[c]; cur = 0; }
    else return NaN;
  }
  return total + cur;
}

/** Parse a zh scene heading; returns {prefix, ep, sc, simple} or null. */
export function parseZhScene(text) {
  let m = reZhSceneNum.exec(text);
  if (m) return { prefix: m[1] || "", ep: zhNumber(m[2]), sc: zhNumber(m[3]), simple: false, len: m[0].length };
  m = reZhSceneSimple.exec(text);
  if (m && reZhTimePlace.test(m[3])) {
    return { prefix: m[1] || "", ep: null, sc: zhNumber(m[2]), simple: true, len: text.length - m[3].length };
  }
  return null;
}

export function zhLineType(text) {
  if (!text.trim()) return "blank";
  if (reZhEpisode.test(text)) return "episode";
  if (reZhAction.test(text)) return "action";
  if (reZhCue.test(text)) return "cue";
  if (reZhCast.test(text)) return "cast";
  if (parseZhScene(text)) return "scene";
  if (reZhNote.test(text)) return "note";
  if (reZhTransition.test(text)) return "transition";
  if (reZhParenLine.test(text)) return "parenthetical";
  if (reZhDialogue.test(text)) return "dialogue";
  return "plain";
}

export function classifyZh(lines) {
  return lines.map(zhLineType);
}

/** Sub-ranges of a zh dialogue line: {name:[from,to], ext:[from,to]|null, colon, parens:[[from,to]...]} */
export function zhDialogueParts(text) {
  const m = reZhDialogue.exec(text);
  if (!m) return null;
  const nameFrom = m[1].length, nameTo = nameFrom + m[2].length;
  const extTo = nameTo + m[3].length;
  const colon = extTo; // index of the colon
  const parens = [];
  const re = /[（(][^（）()]*[）)]?/g;
  re.lastIndex = colon + 1;
  let p;
  while ((p = re.exec(text))) parens.push([p.index, p.index + p[0].length]);
  return { name: [nameFrom, nameTo], ext: m[3].trim() ? [nameTo, extTo] : null, colon, parens };
}

// ---------------------------------------------------------- fountain format

const reTitleKey = /^\s*(title|credit|author|authors|source|draft date|date|contact|copyright|notes|revision|format)\s*:/i;
export const reFtnScene = /^(?:\.(?=[^.\s])|(?:INT|EXT|EST|INT\.?\/EXT|EXT\.?\/INT|I\/E)[.\s])/i;
const reFtnTransitionWord = /^(?:[A-Z0-9 .'’\-]+ TO:|FADE OUT\.?|FADE TO BLACK\.?|CUT TO BLACK\.?|FADE IN:)$/;

/** An "all caps" cue: has an uppercase letter and no lowercase letter in the name part. */
export function isCapsCue(t) {
  const name = t.replace(/\s*\^\s*$/, "").replace(/\s*\(.*\)?\s*$/, "").trim();
  if (!name || /^[!@.>~=#\[]/.test(name)) return false;
  return /\p{Lu}/u.test(name) && !/\p{Ll}/u.test(name);
}

/**
 * Scan a line for boneyard (slash-star) and note ([[ ]]) delimiters.
 * state bits: 1 = inside boneyard, 2 = inside note.  Returns {segs, state, full}
 * where segs = [[from,to,"boneyard"|"note"], ...] and full is the kind that
 * covers every non-space char of the line (or null).
 */
export function scanDelims(text, state) {
  const segs = [];
  let i = 0, start = 0;
  let inBone = !!(state & 1), inNote = !!(state & 2);
  while (i < text.length) {
    const two = text.substr(i, 2);
    if (inBone) {
      if (two === "*/") { segs.push([start, i + 2, "boneyard"]); inBone = false; i += 2; continue; }
    } else if (inNote) {
      if (two === "]]") { segs.push([start, i + 2, "note"]); inNote = false; i += 2; continue; }
    } else if (two === "/*") { inBone = true; start = i; i += 2; continue; }
    else if (two === "[[") { inNote = true; start = i; i += 2; continue; }
    i++;
  }
  if (inBone) segs.push([start, text.length, "boneyard"]);
  else if (inNote) segs.push([start, text.length, "note"]);
  let full = null;
  if (segs.length && text.trim()) {
    let covered = true, kinds = new Set();
    for (let k = 0, s = 0; k < text.length; k++) {
      while (s < segs.length && segs[s][1] <= k) s++;
      const inSeg = s < segs.length && segs[s][0] <= k && k < segs[s][1];
      if (inSeg) kinds.add(segs[s][2]);
      else if (!/\s/.test(text[k])) { covered = false; break; }
    }
    if (covered) full = kinds.has("boneyard") ? "boneyard" : "note";
  }
  return { segs, state: (inBone ? 1 : 0) | (inNote ? 2 : 0), full };
}

/**
 * opts.pendingLine: index of an empty line holding the cursor; it counts as
 *   "not blank" so a cue above it is recognised and it shows as dialogue.
 * opts.cueLine: index of a line forced into character-cue mode (Tab).
 * Returns {types, states} (states[i] = delimiter state at line start).
 */
export function classifyFountain(lines, opts = {}) {
  const n = lines.length;
  const pending = opts.pendingLine ?? -1;
  const cueLine = opts.cueLine ?? -1;
  const types = new Array(n);
  const states = new Uint8Array(n + 1);
  const blank = (i) => i < 0 || i >= n || (i !== pending && i !== cueLine && !lines[i].trim());
  let i = 0;
  // title page: key: value lines at the very top, up to the first blank line
  if (n && reTitleKey.test(lines[0])) {
    while (i < n && lines[i].trim()) types[i++] = "titlepage";
  }
  let st = 0;
  for (let k = 0; k < i; k++) states[k] = 0;
  for (; i < n; i++) {
    states[i] = st;
    const text = lines[i];
    const d = scanDelims(text, st);
    st = d.state;
    const t = text.trim();
    const prev = i > 0 ? types[i - 1] : "blank";
    const prevBlank = blank(i - 1) || prev === "blank" || prev === "boneyard";
    const inDialogue = !prevBlank && (prev === "character" || prev === "dialogue" || prev === "parenthetical");
    let ty;
    if (i === cueLine) ty = "character";
    else if (d.full) ty = d.full;
    else if (!t) ty = i === pending ? (inDialogue ? "dialogue" : "action") : "blank";
    else if (t[0] === "!") ty = "action";
    else if (/^={3,}$/.test(t)) ty = "pagebreak";
    else if (t[0] === "#") ty = "section";
    else if (t[0] === "=") ty = "synopsis";
    else if (t[0] === "~") ty = "lyrics";
    else if (/^>.*<$/.test(t)) ty = "centered";
    else if (t[0] === ">") ty = "transition";
    else if (inDialogue) ty = t[0] === "(" ? "parenthetical" : "dialogue";
    else if (prevBlank && reFtnScene.test(t)) ty = "scene";
    else if (prevBlank && t[0] === "@") ty = "character";
    else if (prevBlank && reFtnTransitionWord.test(t) && (blank(i + 1) || /TO:$/.test(t))) ty = "transition";
    else if (prevBlank && isCapsCue(t) && !blank(i + 1)) ty = "character";
    else ty = "action";
    types[i] = ty;
  }
  states[n] = st;
  return { types, states };
}

/** Inline marks for a fountain line: [[from,to,class], ...] (unsorted). */
export function fountainMarks(text, type, state) {
  const marks = [];
  const d = scanDelims(text, state);
  for (const [f, t, k] of d.segs) marks.push([f, t, "cm-wr-" + k + "-inline"]);
  const lead = text.length - text.trimStart().length;
  const forceChar = { scene: ".", character: "@", action: "!", transition: ">", lyrics: "~", synopsis: "=" }[type];
  if (forceChar && text[lead] === forceChar && !(type === "scene" && /^\.\./.test(text.slice(lead)))) {
    marks.push([lead, lead + 1, "cm-wr-syntax"]);
  }
  if (type === "section") {
    const m = /^\s*#+/.exec(text);
    marks.push([lead, m[0].length, "cm-wr-syntax"]);
  }
  if (type === "centered") {
    marks.push([lead, lead + 1, "cm-wr-syntax"]);
    const end = text.trimEnd().length;
    marks.push([end - 1, end, "cm-wr-syntax"]);
  }
  if (type === "scene") {
    const m = /\s(#[\w.\-]+#)\s*$/.exec(text);
    if (m) marks.push([m.index + 1, m.index + 1 + m[1].length, "cm-wr-scene-number"]);
  }
  if (type === "character") {
    const m = /\(.*\)?/.exec(text);
    if (m) marks.push([m.index, m.index + m[0].length, "cm-wr-extension"]);
  }
  // emphasis: ***bold italic***, **bold**, *italic*, _underline_
  if (type !== "boneyard" && type !== "note") {
    const re = /(\*{1,3})(?=\S)([^*]*?\S)\1(?!\*)|_(?=\S)([^_]*?\S)_/g;
    let m;
    while ((m = re.exec(text))) {
      const cls = m[3] !== undefined ? "cm-wr-underline"
        : m[1].length === 3 ? "cm-wr-strong cm-wr-em" : m[1].length === 2 ? "cm-wr-strong" : "cm-wr-em";
      marks.push([m.index, m.index + m[0].length, cls]);
    }
  }
  return marks;
}

/** Convenience for tests/server parity checks: classify a whole text. */
export function classify(text, format) {
  const lines = String(text).split(/\r\n?|\n/);
  return format === "fountain" ? classifyFountain(lines).types : classifyZh(lines);
}
