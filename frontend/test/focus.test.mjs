// Scene boundaries (src/scenes.js) and the focus view's state logic (src/focus.js)
// on a plain EditorState bound by hand to a Y.Text, as the Yjs binding does.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as Y from "yjs";
import { EditorState, EditorSelection } from "@codemirror/state";
import { ySyncAnnotation } from "y-codemirror.next";
import { sceneHeadingLines, sceneHeadingOffset, focusRange } from "../src/scenes.js";
import { sceneFocus } from "../src/focus.js";
import { formatFacet } from "../src/format.js";

const ZH = [
  "第1集 离婚协议", // 0
  "1-1 日 内 张家客厅", // 1  scene 0
  "△张明推门进来。", // 2
  "张父：你还知道回来？", // 3
  "1-2 夜 外 小区门口", // 4  scene 1
  "△雨很大。", // 5
  "", // 6
  "场1-3 日 内 医院", // 7  scene 2
  "【闪回】", // 8
].join("\n");

const FTN = [
  "Title: Big Fish", // 0
  "", // 1
  "INT. BLOOM HOUSE - NIGHT", // 2  scene 0
  "", // 3
  "Edward tells a story.", // 4
  "", // 5
  "EXT. RIVER - DAY", // 6  scene 1
  "", // 7
  "EDWARD", // 8
  "INT. not a heading, it is dialogue", // 9
].join("\n");

const at = (text, line) => text.split("\n").slice(0, line).reduce((n, l) => n + l.length + 1, 0);
const endOf = (text, line) => at(text, line) + text.split("\n")[line].length;

test("scene headings per format", () => {
  assert.deepEqual(sceneHeadingLines(ZH.split("\n"), "zh"), [1, 4, 7]);
  assert.deepEqual(sceneHeadingLines(FTN.split("\n"), "fountain"), [2, 6]);
  assert.deepEqual(sceneHeadingLines(["第1集", "△动作"], "zh"), []);
});

test("sceneHeadingOffset: n-th heading, -1 for scene 0 without headings, null when missing", () => {
  assert.equal(sceneHeadingOffset(ZH, "zh", 0), at(ZH, 1));
  assert.equal(sceneHeadingOffset(ZH, "zh", 2), at(ZH, 7));
  assert.equal(sceneHeadingOffset(ZH, "zh", 3), null);
  assert.equal(sceneHeadingOffset(ZH, "zh", -1), null);
  assert.equal(sceneHeadingOffset("第1集 标题\n△开场", "zh", 0), -1);
  assert.equal(sceneHeadingOffset("第1集 标题", "zh", 1), null);
  assert.equal(sceneHeadingOffset("", "fountain", 0), -1);
  assert.equal(sceneHeadingOffset(FTN, "fountain", 1), at(FTN, 6));
});

test("focusRange: scene 0 owns the text before the first heading; a scene ends before the next heading", () => {
  const r = (from, to, heading, next, index, soft = false) => ({ from, to, heading, next, index, soft });
  assert.deepEqual(focusRange(ZH, "zh", at(ZH, 1)), r(0, endOf(ZH, 3), at(ZH, 1), at(ZH, 4), 0));
  assert.deepEqual(focusRange(ZH, "zh", at(ZH, 4)), r(at(ZH, 4), endOf(ZH, 6), at(ZH, 4), at(ZH, 7), 1));
  assert.deepEqual(focusRange(ZH, "zh", at(ZH, 7)), r(at(ZH, 7), ZH.length, at(ZH, 7), null, 2));
  // any offset inside the heading line finds it
  assert.equal(focusRange(ZH, "zh", at(ZH, 4) + 3).from, at(ZH, 4));
  // not on a heading line: the scene is gone
  assert.equal(focusRange(ZH, "zh", at(ZH, 5)), null);
  assert.equal(focusRange(ZH, "zh", -1), null);
  assert.equal(focusRange(ZH, "zh", ZH.length + 5), null);
  // soft: a line that is not (or no longer) a heading starts the scene
  assert.deepEqual(focusRange(ZH, "zh", at(ZH, 5), { soft: true }), r(at(ZH, 5), endOf(ZH, 6), at(ZH, 5), at(ZH, 7), 2, true));
  assert.deepEqual(focusRange(ZH, "zh", at(ZH, 0), { soft: true }), r(0, endOf(ZH, 0), 0, at(ZH, 1), 0, true));
  assert.deepEqual(focusRange(ZH, "zh", at(ZH, 8), { soft: true }), r(at(ZH, 8), ZH.length, at(ZH, 8), null, 3, true));
  assert.deepEqual(focusRange(ZH, "zh", at(ZH, 4), { soft: true }), focusRange(ZH, "zh", at(ZH, 4)));
  // scene 0 of a text without headings: everything, until a heading appears
  assert.deepEqual(focusRange("第1集\n△开场", "zh", null), r(0, 7, null, null, 0));
  assert.deepEqual(focusRange(ZH, "zh", null), r(0, endOf(ZH, 3), at(ZH, 1), at(ZH, 4), 0));
  // fountain
  assert.deepEqual(focusRange(FTN, "fountain", at(FTN, 2)), r(0, endOf(FTN, 5), at(FTN, 2), at(FTN, 6), 0));
  assert.deepEqual(focusRange(FTN, "fountain", at(FTN, 6)), r(at(FTN, 6), FTN.length, at(FTN, 6), null, 1));
  assert.equal(focusRange(FTN, "fountain", at(FTN, 9)), null);
});

// ------------------------------------------------ CodeMirror + Y.Text harness

function harness(text, format, n) {
  const ydoc = new Y.Doc();
  const ytext = ydoc.getText("script");
  ytext.insert(0, text);
  let lost = 0;
  const focus = sceneFocus({ ytext, onLost: () => { lost++; } });
  const view = {
    state: EditorState.create({ doc: text, extensions: [formatFacet.of(format), focus.extension] }),
    dispatch(spec) { this.state = this.state.update(spec).state; },
  };
  const LOCAL = {};
  // remote side: Y.Text changes reach the editor as annotated transactions (like y-sync)
  ytext.observe((event, tr) => {
    if (tr.origin === LOCAL) return;
    const changes = [];
    let pos = 0;
    for (const d of event.delta) {
      if (d.insert != null) changes.push({ from: pos, to: pos, insert: d.insert });
      else if (d.delete != null) { changes.push({ from: pos, to: pos + d.delete }); pos += d.delete; }
      else pos += d.retain;
    }
    view.dispatch({ changes, annotations: [ySyncAnnotation.of(true)] });
  });
  const h = {
    ydoc, ytext, view, focus,
    get lost() { return lost; },
    text: () => view.state.doc.toString(),
    range: () => focus.range(view.state),
    /** A local edit: through the filters, then into the Y.Text (as the binding does). */
    local(spec) {
      const tr = view.state.update(spec);
      view.state = tr.state;
      ydoc.transact(() => {
        let adj = 0;
        tr.changes.iterChanges((fromA, toA, _fb, _tb, ins) => {
          if (toA > fromA) ytext.delete(fromA + adj, toA - fromA);
          if (ins.length) ytext.insert(fromA + adj, ins.toString());
          adj += ins.length - (toA - fromA);
        });
      }, LOCAL);
      assert.equal(ytext.toString(), view.state.doc.toString());
      return tr;
    },
    remote(fn) {
      fn(ytext);
      assert.equal(ytext.toString(), view.state.doc.toString(), "the editor mirrors the Y.Text");
    },
  };
  if (n != null) assert.equal(focus.activate(view, n), true);
  return h;
}

test("focus: shows one scene, refuses edits outside it, clamps the cursor", () => {
  const h = harness(ZH, "zh", 1);
  const s = h.text();
  assert.deepEqual(h.range(), { from: at(s, 4), to: endOf(s, 6) });
  assert.equal(h.view.state.selection.main.head, endOf(s, 4), "cursor at the end of the heading");

  // outside: refused; inside and at both edges: allowed
  h.local({ changes: { from: 0, insert: "X" } });
  h.local({ changes: { from: at(s, 2), to: at(s, 2) + 1 } });
  h.local({ changes: { from: s.length, insert: "X" } });
  assert.equal(h.text(), s);
  h.local({ changes: { from: at(s, 5) + 1, insert: "大" } });
  h.local({ changes: { from: endOf(h.text(), 6), insert: "\n△雷声。" } });
  h.local({ changes: { from: at(s, 4), insert: "场" } });
  const t = h.text();
  assert.ok(t.includes("场1-2 夜 外 小区门口\n△大雨很大。\n\n△雷声。\n场1-3"), t);
  assert.deepEqual(h.range(), { from: at(t, 4), to: endOf(t, 7) });
  // a deletion that overlaps the edge is cut to the scene
  h.local({ changes: { from: at(t, 3) + 2, to: at(t, 4) + 1 } });
  assert.ok(h.text().includes("张父：你还知道回来？\n1-2 夜"), h.text());

  // selections outside the scene are pulled in
  h.local({ selection: EditorSelection.cursor(0) });
  assert.equal(h.view.state.selection.main.head, h.range().from);
  h.local({ selection: EditorSelection.range(0, h.text().length) });
  assert.deepEqual([h.view.state.selection.main.from, h.view.state.selection.main.to], [h.range().from, h.range().to]);
  // select-all + typing replaces only the scene
  h.local({ changes: { from: h.range().from, to: h.range().to, insert: "1-2 夜 外 码头" }, selection: EditorSelection.cursor(h.range().from + 9) });
  assert.equal(h.text(), "第1集 离婚协议\n1-1 日 内 张家客厅\n△张明推门进来。\n张父：你还知道回来？\n1-2 夜 外 码头\n场1-3 日 内 医院\n【闪回】");
  assert.equal(h.lost, 0);
});

test("focus: follows its scene while others type elsewhere (Y.RelativePosition)", () => {
  const h = harness(ZH, "zh", 1);
  h.remote((y) => y.insert(at(ZH, 2), "△新的一行。\n")); // before the scene
  let t = h.text();
  assert.equal(t.split("\n")[5], "1-2 夜 外 小区门口");
  assert.deepEqual(h.range(), { from: at(t, 5), to: endOf(t, 7) });
  h.remote((y) => y.insert(t.length, "\n△后面。")); // after
  h.remote((y) => y.delete(0, at(t, 1))); // the episode line goes
  t = h.text();
  assert.deepEqual(h.range(), { from: at(t, 4), to: endOf(t, 6) });
  // someone edits inside our heading line
  h.remote((y) => y.insert(at(t, 4) + 4, "深 "));
  t = h.text();
  assert.equal(t.split("\n")[4], "1-2 深 夜 外 小区门口");
  assert.equal(h.range().from, at(t, 4));
  // a new heading typed by someone else inside our scene ends it there
  h.remote((y) => y.insert(endOf(t, 5), "\n1-9 日 外 街道"));
  t = h.text();
  assert.deepEqual(h.range(), { from: at(t, 4), to: endOf(t, 5) });
  // local edits, then remote ones: both agree on the anchor
  h.local({ changes: { from: at(t, 5), insert: "\n" } });
  h.remote((y) => y.insert(0, "※备注\n"));
  t = h.text();
  assert.equal(t.slice(h.range().from).split("\n")[0], "1-2 深 夜 外 小区门口");
  assert.equal(h.lost, 0);
});

test("focus: the scene vanishes -> whole episode", () => {
  const h = harness(ZH, "zh", 2);
  assert.equal(h.range().from, at(ZH, 7));
  h.remote((y) => y.delete(at(ZH, 7) - 1, ZH.length - at(ZH, 7) + 1)); // scene 1-3 deleted
  assert.equal(h.range(), null);
  assert.equal(h.focus.lost(h.view.state), true); // the view plugin reports it (onLost) once
  h.remote((y) => y.insert(0, "x"));
  assert.equal(h.focus.lost(h.view.state), true);
  // the whole episode is editable again
  h.local({ changes: { from: 0, insert: "Y" } });
  assert.ok(h.text().startsWith("Yx第1集"));
});

test("focus: a heading turned into plain text loses the scene; no scene n at all reports at once", async () => {
  const h = harness(ZH, "zh", 1);
  h.remote((y) => y.delete(at(ZH, 4), 3)); // "1-2 夜 外 小区门口" -> "夜 外 小区门口"
  assert.equal(h.range(), null);
  const g = harness(ZH, "zh", null);
  assert.equal(g.focus.activate(g.view, 5), false);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(h.focus.lost(h.view.state), true);
  assert.equal(g.lost, 1);
  assert.equal(g.range(), null);
});

test("focus: scene 0 of an episode without headings shows everything and picks up a new heading", () => {
  const text = "第1集 标题\n△开场。";
  const h = harness(text, "zh", 0);
  assert.deepEqual(h.range(), { from: 0, to: text.length });
  h.local({ changes: { from: text.length, insert: "\n1-1 日 内 客厅\n△他来了。\n1-2 夜 内 卧室\n△睡了。" } });
  const t = h.text();
  assert.deepEqual(h.range(), { from: 0, to: endOf(t, 3) });
});

test("focus: Fountain scene", () => {
  const h = harness(FTN, "fountain", 1);
  assert.deepEqual(h.range(), { from: at(FTN, 6), to: FTN.length });
  h.remote((y) => y.insert(at(FTN, 4), "He smiles. "));
  assert.equal(h.range().from, at(FTN, 6) + 11);
});

test("focus: this writer retyping the heading keeps the scene; someone else breaking it loses it", () => {
  const h = harness(ZH, "zh", 1);
  const head = at(ZH, 4);
  h.local({ changes: { from: head, insert: "Ｃ" } }); // "Ｃ1-2 ..." is not a heading
  assert.deepEqual(h.range(), { from: head, to: endOf(h.text(), 6) });
  h.local({ changes: { from: head, to: endOf(h.text(), 4), insert: "" } }); // the whole heading text gone
  assert.deepEqual(h.range(), { from: head, to: endOf(h.text(), 6) });
  h.remote((y) => y.insert(0, "※\n")); // others keep typing elsewhere: still ours
  let t = h.text();
  assert.equal(h.range().from, at(t, 5));
  h.local({ changes: { from: h.range().from, insert: "1-2 夜 外 码头" } });
  t = h.text();
  assert.equal(t.split("\n")[5], "1-2 夜 外 码头");
  assert.deepEqual(h.range(), { from: at(t, 5), to: endOf(t, 7) });
  assert.equal(h.focus.lost(h.view.state), false);
  // now another writer removes the heading's scene number
  h.remote((y) => y.delete(at(t, 5), 4));
  assert.equal(h.range(), null);
  assert.equal(h.focus.lost(h.view.state), true);
});

test("focus: another writer deleting the whole scene loses it (not the next scene)", () => {
  const h = harness(ZH, "zh", 1);
  h.remote((y) => y.delete(at(ZH, 4), at(ZH, 7) - at(ZH, 4))); // exactly [1-2 heading, 1-3 heading)
  assert.ok(h.text().includes("张父：你还知道回来？\n场1-3"));
  assert.equal(h.range(), null);
  assert.equal(h.focus.lost(h.view.state), true);
});
