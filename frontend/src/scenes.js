// Scene boundaries in a whole-episode text (pure: no CodeMirror, no Yjs, so
// `node --test` can check it).
//
// A scene starts at a line that src/classify.js classifies as "scene" in the
// episode's format; text before the first heading (the 第N集 line, a Fountain
// title page...) belongs to scene 0.  Lines are split on "\n" only, as in a
// CodeMirror document or a Y.Text.
import { classifyFountain, zhLineType } from "./classify.js";

/** 0-based indices of the scene-heading lines. */
export function sceneHeadingLines(lines, format) {
  const types = format === "fountain" ? classifyFountain(lines).types : lines.map(zhLineType);
  const out = [];
  for (let i = 0; i < types.length; i++) if (types[i] === "scene") out.push(i);
  return out;
}

function lineStarts(lines) {
  const starts = new Array(lines.length);
  let pos = 0;
  for (let i = 0; i < lines.length; i++) {
    starts[i] = pos;
    pos += lines[i].length + 1;
  }
  return starts;
}

function lineIndexAt(starts, pos) {
  // last line whose start is <= pos (binary search)
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= pos) lo = mid; else hi = mid - 1;
  }
  return lo;
}

/**
 * Offset of the start of scene n's heading line in `text`.
 * Returns -1 for scene 0 of a text without any heading (the whole text is
 * scene 0), null when the episode has no scene n.
 */
export function sceneHeadingOffset(text, format, n) {
  const lines = String(text).split("\n");
  const heads = sceneHeadingLines(lines, format);
  if (n === 0 && heads.length === 0) return -1;
  if (!(n >= 0) || n >= heads.length) return null;
  return lineStarts(lines)[heads[n]];
}

/**
 * The visible range of the scene whose heading line holds offset `pos`.
 *
 *   from     start of the scene: the heading line's start, or 0 when that
 *            heading is the first one (text before it belongs to scene 0)
 *   to       end of the scene's last line (just before the "\n" that precedes
 *            the next heading), or text.length
 *   heading  start of the heading line
 *   next     start of the next heading line, or null
 *   index    the scene's ordinal now
 *   soft     true when the line at pos is not a heading (see opts.soft)
 *
 * pos = null means "scene 0 of a text that had no heading": the range runs
 * from 0 to the second heading (or the end), heading is the first heading's
 * start or null if there is still none.
 * Returns null when the line holding pos is not a scene heading (the scene
 * vanished), unless opts.soft: then that line is taken as the heading (a
 * writer retyping the heading of the scene they focus on keeps their scene).
 */
export function focusRange(text, format, pos, opts = {}) {
  text = String(text);
  const lines = text.split("\n");
  const heads = sceneHeadingLines(lines, format);
  const starts = lineStarts(lines);
  const range = (line, nextLine, first, index, soft) => ({
    from: first ? 0 : starts[line],
    to: nextLine === undefined ? text.length : starts[nextLine] - 1,
    heading: starts[line],
    next: nextLine === undefined ? null : starts[nextLine],
    index,
    soft,
  });
  if (pos == null) {
    if (!heads.length) return { from: 0, to: text.length, heading: null, next: null, index: 0, soft: false };
    return range(heads[0], heads[1], true, 0, false);
  }
  if (!(pos >= 0) || pos > text.length) return null;
  const line = lineIndexAt(starts, pos);
  const k = heads.indexOf(line);
  if (k >= 0) return range(line, heads[k + 1], k === 0, k, false);
  if (!opts.soft) return null;
  const before = heads.filter((h) => h < line).length;
  return range(line, heads[before], before === 0, before, true);
}
