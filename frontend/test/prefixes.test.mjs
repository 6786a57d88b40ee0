// A prefix the editor put at the start of a line and the writer typed again is found once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { doubledPrefix } from "../src/prefixes.js";

test("a typed 人物： after the editor's own is found", () => {
  assert.deepEqual(doubledPrefix("人物：人物：林晚"), { from: 3, to: 6 });
  assert.deepEqual(doubledPrefix("人物：人物:林晚"), { from: 3, to: 6 });
  assert.deepEqual(doubledPrefix("出场人物：人物：林晚"), { from: 5, to: 8 });
});

test("a typed △ after the editor's own is found", () => {
  assert.deepEqual(doubledPrefix("△△他走进来"), { from: 1, to: 2 });
});

test("ordinary lines are left alone", () => {
  for (const line of ["人物：林晚、人物甲", "△他说：人物：都到了", "林晚：人物：谁？", "△", "人物：", ""]) {
    assert.equal(doubledPrefix(line), null, line);
  }
});
