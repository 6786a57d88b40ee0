// The in-editor AI review's placing of hunks, and provenance attributes for a person's typing.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as Y from "yjs";
import { locate } from "../src/review.js";
import { cutAttrs, personAttrs, runsOf, sharesOf } from "../src/provenance.js";

test("a hunk is placed where the server says when its lines are still there", () => {
  const text = "A\nB\nC\n";
  assert.deepEqual(locate(text, { at: [2, 4], removed: "B\n" }), { from: 2, to: 4 });
});

test("a hunk whose place moved is found by the lines it replaces, nearest first", () => {
  const text = "X\nA\nB\nC\nB\n";
  assert.deepEqual(locate(text, { at: [2, 4], removed: "B\n" }), { from: 4, to: 6 });
  assert.equal(locate(text, { at: [2, 4], removed: "Q\n" }), null);
});

test("an insertion is placed at its point and a last line without newline still matches", () => {
  assert.deepEqual(locate("A\nB", { at: [2, 2], removed: "" }), { from: 2, to: 2 });
  assert.deepEqual(locate("A\nB", { at: [2, 4], removed: "B\n" }), { from: 2, to: 3 });
});

test("typing strictly inside AI text is AI-edited; at its edge it is a person's", () => {
  const doc = new Y.Doc();
  const t = doc.getText("script");
  t.insert(0, "我说：");
  t.insert(3, "你来了", { ai: "7" });
  t.insert(6, "。", { ai: null }); // a person's, set explicitly (as the server and the tracker do)
  t.insert(4, "终"); // inherits {ai: "7"} from its left, as Yjs does for typing
  const runs = runsOf(t.toDelta());
  assert.deepEqual(personAttrs(runs, 4, 5), { ai: "7", edited: 1 });
  t.insert(7, "啊"); // after the last AI character: inherits too
  assert.deepEqual(personAttrs(runsOf(t.toDelta()), 7, 8), { ai: null, edited: null });
  // Before the browser's fix-up, Yjs counts both typed characters as the model's.
  assert.deepEqual(sharesOf(t.toDelta()), { human: 4, ai: 5, ai_edited: 0 });
});

test("cutting inside AI text marks the character before the cut edited; at its edge nothing", () => {
  const doc = new Y.Doc();
  const t = doc.getText("script");
  t.insert(0, "我说：");
  t.insert(3, "你终于来了", { ai: "9" });
  t.insert(8, "。", { ai: null });
  t.delete(4, 2); // "终于" cut: 你|来了
  assert.deepEqual(cutAttrs(runsOf(t.toDelta()), 4), { ai: "9", edited: 1 });
  assert.equal(cutAttrs(runsOf(t.toDelta()), 6), null); // after the last AI character
  assert.equal(cutAttrs(runsOf(t.toDelta()), 3), null); // before the first
});
