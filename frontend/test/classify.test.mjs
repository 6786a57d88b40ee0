// Unit tests for the pure line classifiers: `cd frontend && npm test`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { classify, zhDialogueParts, classifyFountain, isCapsCue, zhNumber } from "../src/classify.js";
import { keymapHelp, keymapHelpLines } from "../src/keys.js";

test("zh sample from domain.md", () => {
  const text = [
    "第1集 标题",
    "1-1 日 内 张家客厅",
    "人物：张明、张父",
    "△张明推门进来，手里攥着离婚协议。",
    "张父：（放下酒杯）你还知道回来？",
    "张明（OS）：这一次，我不会再忍。",
    "【闪回】",
    "【闪回结束】",
    "【字幕：三年后】",
    "场1-2 日 内 房间",
    "2 张三卧室 日内",
    "",
    "他推开门。",
    "（转场）",
    "第十二集 反转",
  ].join("\n");
  assert.deepEqual(classify(text, "zh"), [
    "episode", "scene", "cast", "action", "dialogue", "dialogue", "cue", "cue", "cue",
    "scene", "scene", "blank", "plain", "transition", "episode",
  ]);
});

test("zh dialogue parts", () => {
  const p = zhDialogueParts("张明（OS）：（冷笑）这一次。");
  assert.deepEqual(p.name, [0, 2]);
  assert.deepEqual(p.ext, [2, 6]);
  assert.equal(p.colon, 6);
  assert.deepEqual(p.parens, [[7, 11]]);
  assert.deepEqual(zhDialogueParts("：台词").name, [0, 0]);
  assert.equal(zhDialogueParts("他走了。"), null);
});

test("zh numbers", () => {
  assert.equal(zhNumber("十二"), 12);
  assert.equal(zhNumber("一百零三"), 103);
  assert.equal(zhNumber("２３"), 23);
});

test("fountain elements", () => {
  const text = [
    "Title: Big Fish",
    "Author: John August",
    "",
    "INT. HOUSE - DAY",
    "",
    "Edward walks in. *Slowly.*",
    "",
    "EDWARD (V.O.)",
    "(quietly)",
    "There are some fish...",
    "that cannot be caught.",
    "",
    "CUT TO:",
    "",
    "> THE END <",
    "",
    "# Act One",
    "= A synopsis.",
    "[[a note]]",
    "/* boneyard",
    "still boneyard */",
    "@McGregor",
    "Hello.",
    "",
    ".FLASHBACK",
    "",
    "> SMASH CUT",
    "",
    "BRICK ^",
    "Hi.",
  ].join("\n");
  assert.deepEqual(classify(text, "fountain"), [
    "titlepage", "titlepage", "blank", "scene", "blank", "action", "blank",
    "character", "parenthetical", "dialogue", "dialogue", "blank", "transition", "blank",
    "centered", "blank", "section", "synopsis", "note", "boneyard", "boneyard",
    "character", "dialogue", "blank", "scene", "blank", "transition", "blank", "character", "dialogue",
  ]);
});

test("fountain pending line and cue mode", () => {
  const lines = ["Action.", "", "JOHN", ""];
  assert.deepEqual(classifyFountain(lines).types, ["action", "blank", "action", "blank"]);
  assert.deepEqual(classifyFountain(lines, { pendingLine: 3 }).types, ["action", "blank", "character", "dialogue"]);
  assert.deepEqual(classifyFountain(["Action.", "", ""], { cueLine: 2 }).types, ["action", "blank", "character"]);
  assert.ok(isCapsCue("MARY (CONT'D)"));
  assert.ok(!isCapsCue("Mary"));
  assert.ok(!isCapsCue("张三"));
});

test("keymap help is plain text", () => {
  for (const f of ["zh", "fountain"]) for (const l of ["zh", "en"]) {
    const lines = keymapHelpLines(f, l);
    assert.ok(lines.length >= 3);
    assert.equal(keymapHelp(f, l), lines.join("\n"));
    for (const s of lines) assert.doesNotMatch(s, /[<>&]/);
  }
});
