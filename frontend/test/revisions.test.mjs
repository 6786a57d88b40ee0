// Revision marks' pure part: which lines changed since the issued text; the save frame; the status bar.
import { test } from "node:test";
import assert from "node:assert/strict";
import { changedLines } from "../src/revisions.js";
import { encodeSave, MSG_SAVE } from "../src/save.js";
import { sceneAt } from "../src/features.js";

const ISSUED = "1-1 日 内 客厅\n人物：林晚\n△门开着。\n林晚：谁？\n\n1-2 夜 外 街\n△雨。\n";

test("nothing changed, nothing marked", () => {
  assert.deepEqual(changedLines(ISSUED, ISSUED), []);
  assert.deepEqual(changedLines(ISSUED, ISSUED.replace("雨。", "雨。  ")), []); // trailing blanks
});

test("an edited line and an added line are marked, blank lines never", () => {
  const now = ISSUED.replace("△门开着。", "△门半开着。").replace("林晚：谁？\n", "林晚：谁？\n林父：我。\n\n");
  assert.deepEqual(changedLines(ISSUED, now), [2, 4]);
});

test("a new scene is marked heading and all", () => {
  const now = ISSUED + "\n1-3 日 内 医院\n△白墙。\n";
  const lines = now.split("\n");
  assert.deepEqual(changedLines(ISSUED, now).map((i) => lines[i]), ["1-3 日 内 医院", "△白墙。"]);
});

test("a removed line marks nothing that stayed", () => {
  assert.deepEqual(changedLines(ISSUED, ISSUED.replace("△门开着。\n", "")), []);
});

test("no baseline: everything is new", () => {
  assert.deepEqual(changedLines("", "a\n\nb"), [0, 2]);
});

test("the save frame is type 4 and the request id", () => {
  assert.deepEqual(Array.from(encodeSave(7)), [MSG_SAVE, 7]);
  assert.deepEqual(Array.from(encodeSave(300)), [4, 172, 2]);
});

test("the status bar's scene: Fountain headings in capitals, as printed", () => {
  const lines = ["Title", "int. house - day #3A#", "Action.", ".flashback", "More."];
  const types = ["action", "scene", "action", "scene", "action"];
  assert.deepEqual(sceneAt(types, (i) => lines[i], 2, "fountain"), { index: 0, count: 2, heading: "INT. HOUSE - DAY" });
  assert.deepEqual(sceneAt(types, (i) => lines[i], 4, "fountain").heading, "FLASHBACK");
  assert.deepEqual(sceneAt(types, (i) => lines[i], 0, "fountain"), { index: -1, count: 2, heading: "" });
  assert.equal(sceneAt(["scene"], () => "1-1 日 内 客厅", 0, "zh").heading, "1-1 日 内 客厅");
});
