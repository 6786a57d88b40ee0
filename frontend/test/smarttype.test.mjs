// SmartType's pure part: what is offered where, in both formats; and nothing in dialogue.
import { test } from "node:test";
import assert from "node:assert/strict";
import { smartContext, castNames } from "../src/smarttype.js";

const data = { characters: ["林晚", "顾辰", "林父", "Gu Chen"], locations: ["医院走廊", "Warehouse"] };
const labels = (r) => (r ? r.options.map((o) => o.label) : []);

test("a zh cue at line start offers names and writes the colon", () => {
  const r = smartContext({ before: "林", format: "zh", data });
  assert.deepEqual(labels(r), ["林晚", "林父"]);
  assert.equal(r.options[0].apply, "林晚：");
  assert.equal(r.from, 0);
  // Tab made the line "：" with the cursor before the colon: the name alone goes in.
  const t = smartContext({ before: "林", after: "：", format: "zh", data, lineType: "dialogue" });
  assert.equal(t.options[0].apply, "林晚");
});

test("nothing pops up in zh dialogue or action", () => {
  assert.equal(smartContext({ before: "林晚：林", format: "zh", data, lineType: "dialogue" }), null);
  assert.equal(smartContext({ before: "△林", format: "zh", data, lineType: "action" }), null);
  assert.equal(smartContext({ before: "林晚：（笑）林", format: "zh", data }), null);
});

test("the 人物 line offers names not listed yet", () => {
  assert.deepEqual(labels(smartContext({ before: "人物：林晚、", format: "zh", data })), ["顾辰", "林父", "Gu Chen"]);
  const r = smartContext({ before: "人物：林晚、顾", format: "zh", data });
  assert.deepEqual(labels(r), ["顾辰"]);
  assert.equal(r.from, "人物：林晚、".length);
  assert.deepEqual(castNames("人物：林晚、顾辰，林父"), ["林晚", "顾辰", "林父"]);
});

test("a zh heading offers the time, then 内/外, then the location", () => {
  assert.ok(labels(smartContext({ before: "1-2 ", format: "zh", data })).includes("夜"));
  assert.deepEqual(labels(smartContext({ before: "1-2 夜 ", format: "zh", data })), ["内", "外", "内外"]);
  assert.deepEqual(labels(smartContext({ before: "1-2 夜 内 医", format: "zh", data })), ["医院走廊"]);
  assert.deepEqual(labels(smartContext({ before: "场3-1 日 外 ", format: "zh", data })), ["医院走廊", "Warehouse"]);
  // a finished word offers nothing, so Enter ends the line
  assert.equal(smartContext({ before: "1-2 夜 内 医院走廊", format: "zh", data }), null);
});

test("zh transitions at line start", () => {
  assert.deepEqual(labels(smartContext({ before: "淡", format: "zh", data })), ["淡入", "淡出"]);
});

test("fountain headings: prefix, location, time of day", () => {
  assert.deepEqual(labels(smartContext({ before: "INT", format: "fountain", data })), ["INT.", "INT./EXT."]);
  const loc = smartContext({ before: "INT. wa", format: "fountain", data });
  assert.deepEqual(labels(loc), ["WAREHOUSE"]);
  assert.equal(loc.options[0].apply, "WAREHOUSE - ");
  assert.equal(loc.from, 5);
  assert.deepEqual(labels(smartContext({ before: "EXT. WAREHOUSE - N", format: "fountain", data })), ["NIGHT"]);
  // not after a non-blank line: that is not a heading
  assert.equal(smartContext({ before: "INT. wa", prevLine: "Rain.", format: "fountain", data }), null);
});

test("fountain cues and transitions after a blank line, never in dialogue or action", () => {
  assert.deepEqual(labels(smartContext({ before: "G", format: "fountain", data })), ["GU CHEN"]);
  assert.deepEqual(labels(smartContext({ before: "CU", format: "fountain", data })), ["CUT TO:"]);
  assert.equal(smartContext({ before: "Gu", format: "fountain", data }), null); // lower case: action
  assert.equal(smartContext({ before: "G", prevLine: "GU CHEN", format: "fountain", data, lineType: "dialogue" }), null);
  assert.ok(labels(smartContext({ before: "", format: "fountain", data, cueMode: true })).includes("GU CHEN"));
});

test("only character names are offered: no bracketed notes, no group words", () => {
  assert.deepEqual(castNames("人物：苏晓（旁观）、全员、沈星晴【回忆】、众人。"), ["苏晓", "沈星晴"]);
  assert.deepEqual(castNames("人物：林晚 （OS）、所有人"), ["林晚"]);
  // The scene's 人物 line gives cues; a note or a group word on it is never offered as one.
  const cast = castNames("人物：苏晓（旁观）、全员、顾辰");
  const r = smartContext({ before: "苏", format: "zh", data: { ...data, cast } });
  assert.deepEqual(labels(r), ["苏晓"]);
  assert.equal(r.options[0].apply, "苏晓：");
  assert.equal(smartContext({ before: "全", format: "zh", data: { ...data, cast } }), null);
  // Names from the server are filtered the same way (a group word or a note never comes back).
  const more = { characters: ["林晚", "众人", "苏晓（旁观）"], locations: [] };
  assert.deepEqual(labels(smartContext({ before: "人物：", format: "zh", data: more })), ["林晚"]);
  assert.equal(smartContext({ before: "众", format: "zh", data: more }), null);
});
