// Comment anchors (src/comments.js): base64 relative positions that follow their text
// across clients, and the editor field that highlights the threads' ranges.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as Y from "yjs";
import { EditorState, EditorSelection } from "@codemirror/state";
import {
  encodeAnchor, decodeAnchor, resolveAnchor, anchorsFor, placeThread, selectionRange, draftFor,
  commentField, setCommentRanges, setActiveComment, rootName, MAX_QUOTE,
} from "../src/comments.js";

const SCRIPT = "1-1 日 内 客厅\n△门开着。\n林晚：你回来了。\n";
const PHRASE = "门开着";

function docWith(text, clientID) {
  const doc = new Y.Doc();
  if (clientID != null) doc.clientID = clientID;
  const ytext = doc.getText("script");
  if (text) ytext.insert(0, text);
  return { doc, ytext };
}

/** Two clients that exchange every update at once (as the server relays them). */
function pair(text) {
  const a = docWith(text, 1);
  const b = docWith("", 2);
  Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc));
  a.doc.on("update", (u, origin) => { if (origin !== "relay") Y.applyUpdate(b.doc, u, "relay"); });
  b.doc.on("update", (u, origin) => { if (origin !== "relay") Y.applyUpdate(a.doc, u, "relay"); });
  return [a, b];
}

/** A thread over the first occurrence of `phrase`, anchored on `side`. */
function threadOn(side, phrase, id = 1) {
  const from = side.ytext.toString().indexOf(phrase);
  assert.ok(from >= 0, "phrase in text");
  return { id, ...anchorsFor(side.ytext, from, from + phrase.length) };
}

const covered = (side, thread) => {
  const p = placeThread(side.ytext, thread);
  return { ...p, text: p.from == null ? null : side.ytext.toString().slice(p.from, p.to) };
};

test("an anchor is base64 that decodes back to the same position", () => {
  const { ytext } = docWith(SCRIPT);
  const idx = SCRIPT.indexOf(PHRASE);
  for (const assoc of [0, -1]) {
    const text = encodeAnchor(ytext, idx, assoc);
    assert.match(text, /^[A-Za-z0-9+/=]{1,400}$/);
    const rpos = decodeAnchor(text);
    assert.ok(rpos);
    assert.equal(rpos.assoc, assoc);
    const made = Y.createRelativePositionFromTypeIndex(ytext, idx, assoc);
    assert.deepEqual([rpos.item.client, rpos.item.clock], [made.item.client, made.item.clock]);
    assert.equal(resolveAnchor(ytext, rpos), idx);
  }
  // the end of the text and the very start are positions too
  assert.equal(resolveAnchor(ytext, decodeAnchor(encodeAnchor(ytext, SCRIPT.length, 0))), SCRIPT.length);
  assert.equal(resolveAnchor(ytext, decodeAnchor(encodeAnchor(ytext, 0, -1))), 0);
  assert.equal(rootName(ytext), "script");
});

test("anything else is not an anchor", () => {
  const { doc, ytext } = docWith(SCRIPT);
  for (const bad of [null, undefined, 3, "", "%%%", '"><script>', "A".repeat(401), "AQID AQID", "////"]) {
    assert.equal(resolveAnchor(ytext, decodeAnchor(bad)), null, String(bad));
  }
  // a position inside a nested type (there are none in this document)
  const other = new Y.Doc();
  const map = other.getMap("m");
  const nested = new Y.Text("x");
  map.set("k", nested);
  assert.equal(decodeAnchor(Buffer.from(Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(nested, 1))).toString("base64")), null);
  // the end of another root type: refused without creating that type here
  const foreign = new Y.Doc().getText("notes");
  const text = encodeAnchor(foreign, 0, 0);
  assert.ok(decodeAnchor(text));
  assert.equal(resolveAnchor(ytext, decodeAnchor(text)), null);
  assert.equal(doc.share.has("notes"), false);
  // an item nobody has (yet): not placed
  const stranger = docWith("陌生人的字", 99);
  assert.equal(resolveAnchor(ytext, decodeAnchor(encodeAnchor(stranger.ytext, 2))), null);
});

test("a range encoded by one writer is placed the same by another, and follows text typed before it", () => {
  const [a, b] = pair(SCRIPT);
  const thread = threadOn(b, PHRASE); // the viewer (b) comments
  assert.equal(covered(a, thread).text, PHRASE);
  // the writer (a) types before the phrase: on the line before, and right at its start
  a.ytext.insert(0, "第1集 合租\n");
  a.ytext.insert(a.ytext.toString().indexOf(PHRASE), "大");
  for (const side of [a, b]) {
    const c = covered(side, thread);
    assert.equal(c.text, PHRASE);
    assert.equal(c.detached, false);
    assert.equal(c.from, side.ytext.toString().indexOf(PHRASE));
  }
  assert.equal(a.ytext.toString(), b.ytext.toString());
});

test("text typed inside the range grows it; text right after it stays outside", () => {
  const [a, b] = pair(SCRIPT);
  const thread = threadOn(a, PHRASE);
  const at = SCRIPT.indexOf(PHRASE);
  b.ytext.insert(at + 1, "竟然"); // 门竟然开着
  assert.equal(covered(a, thread).text, "门竟然开着");
  a.ytext.insert(a.ytext.toString().indexOf("开着") + 2, "了"); // right after the last character
  assert.equal(covered(b, thread).text, "门竟然开着");
  assert.ok(b.ytext.toString().includes("门竟然开着了"));
});

test("deleting part of the range shrinks it; deleting all of it detaches the thread", () => {
  const [a, b] = pair(SCRIPT);
  const thread = threadOn(a, PHRASE);
  const at = SCRIPT.indexOf(PHRASE);
  b.ytext.delete(at, 1); // the first character
  assert.deepEqual([covered(a, thread).text, covered(a, thread).detached], ["开着", false]);
  a.ytext.delete(at + 1, 1); // the last one
  assert.equal(covered(b, thread).text, "开");
  b.ytext.delete(at - 1, 4); // "△开。" and the rest with it
  const gone = covered(a, thread);
  assert.equal(gone.detached, true);
  assert.equal(gone.from, gone.to);
  assert.equal(gone.from, at - 1);
  // typing where it was does not bring it back
  a.ytext.insert(at - 1, "门开着");
  assert.equal(covered(b, thread).detached, true);
});

test("concurrent edits on both sides keep the range on its text", () => {
  const a = docWith(SCRIPT, 1);
  const b = docWith("", 2);
  Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc));
  const thread = threadOn(a, PHRASE);
  // both edit while apart, then exchange
  a.ytext.insert(0, "第1集\n");
  b.ytext.insert(SCRIPT.indexOf(PHRASE) + 1, "没");
  b.ytext.insert(SCRIPT.indexOf("林晚"), "△风吹进来。\n");
  Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(b.doc, Y.encodeStateVector(a.doc)));
  Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)));
  assert.equal(a.ytext.toString(), b.ytext.toString());
  assert.equal(covered(a, thread).text, "门没开着");
  assert.equal(covered(b, thread).text, "门没开着");
});

test("placeThread: unanchored threads, and nothing placed before the text has arrived", () => {
  const a = docWith(SCRIPT, 1);
  const thread = threadOn(a, PHRASE);
  const empty = docWith("", 2); // a page that has not synced yet
  assert.deepEqual(placeThread(empty.ytext, thread, { ready: false }), { from: null, to: null, detached: false });
  assert.deepEqual(placeThread(empty.ytext, thread), { from: null, to: null, detached: true });
  assert.deepEqual(placeThread(a.ytext, { id: 2, start: "", end: "" }), { from: null, to: null, detached: false });
  assert.deepEqual(placeThread(a.ytext, { id: 3, start: '"><b>', end: thread.end }).detached, true);
  // once the text arrives the anchors resolve
  Y.applyUpdate(empty.doc, Y.encodeStateAsUpdate(a.doc));
  assert.equal(covered(empty, thread).text, PHRASE);
});

test("the selection gives the anchors and the quote; a cursor gives its line", () => {
  const { ytext } = docWith(SCRIPT);
  const at = SCRIPT.indexOf(PHRASE);
  let state = EditorState.create({ doc: SCRIPT, selection: EditorSelection.single(at + 3, at) });
  assert.deepEqual(selectionRange(state), { from: at, to: at + 3, quote: PHRASE });
  const d = draftFor(ytext, state);
  assert.equal(d.quote, PHRASE);
  assert.deepEqual([resolveAnchor(ytext, decodeAnchor(d.start)), resolveAnchor(ytext, decodeAnchor(d.end))], [at, at + 3]);
  // a cursor: its line, without the line break
  state = EditorState.create({ doc: SCRIPT, selection: EditorSelection.cursor(SCRIPT.indexOf("你回来")) });
  assert.deepEqual(selectionRange(state), { from: SCRIPT.indexOf("林晚"), to: SCRIPT.indexOf("。\n", SCRIPT.indexOf("林晚")) + 1, quote: "林晚：你回来了。" });
  // an empty line anchors nothing
  state = EditorState.create({ doc: SCRIPT, selection: EditorSelection.cursor(SCRIPT.length) });
  assert.equal(selectionRange(state), null);
  assert.equal(draftFor(ytext, state), null);
  // the quote is cut like the server cuts it
  const long = "△" + "长".repeat(800);
  const big = docWith(long);
  state = EditorState.create({ doc: long, selection: EditorSelection.single(0, long.length) });
  assert.equal(draftFor(big.ytext, state).quote.length, MAX_QUOTE);
  // the Y.Text behind the editor: no anchors yet
  assert.equal(draftFor(docWith("").ytext, state), null);
});

// ------------------------------------------------------------ editor field

function marks(state) {
  const out = [];
  state.field(commentField).deco.between(0, state.doc.length, (from, to, deco) => {
    out.push([state.doc.sliceString(from, to), deco.spec.class, deco.spec.attributes["data-thread"]]);
  });
  return out;
}

test("the field marks open ranges, maps local edits like the anchors do, and emphasizes one", () => {
  const at = SCRIPT.indexOf(PHRASE);
  const lin = SCRIPT.indexOf("林晚");
  let state = EditorState.create({ doc: SCRIPT, extensions: [commentField] });
  assert.deepEqual(marks(state), []);
  state = state.update({
    effects: setCommentRanges.of([
      { id: 1, from: at, to: at + 3, open: true, detached: false },
      { id: 2, from: lin, to: lin + 2, open: false, detached: false }, // resolved
      { id: 3, from: 0, to: 0, open: true, detached: true }, // text removed
      { id: 4, from: null, to: null, open: true, detached: false }, // not anchored
    ]),
  }).state;
  assert.deepEqual(marks(state), [[PHRASE, "cm-wr-comment", "1"]]);
  // typing right at the start and right after the end: both outside; inside: grows
  state = state.update({ changes: { from: at, insert: "大" } }).state;
  state = state.update({ changes: { from: at + 4, insert: "了" } }).state;
  state = state.update({ changes: { from: at + 2, insert: "竟" } }).state;
  assert.deepEqual(marks(state), [["门竟开着", "cm-wr-comment", "1"]]);
  assert.ok(state.doc.toString().includes("大门竟开着了"));
  // hovering a resolved thread shows it for a moment
  state = state.update({ effects: setActiveComment.of(2) }).state;
  assert.deepEqual(marks(state), [
    ["门竟开着", "cm-wr-comment", "1"],
    ["林晚", "cm-wr-comment cm-wr-comment-active", "2"],
  ]);
  state = state.update({ effects: setActiveComment.of(1) }).state;
  assert.deepEqual(marks(state), [["门竟开着", "cm-wr-comment cm-wr-comment-active", "1"]]);
  // deleting the whole range leaves no mark
  const now = state.doc.toString().indexOf("门竟开着");
  state = state.update({ changes: { from: now - 1, to: now + 5 } }).state;
  assert.deepEqual(marks(state), []);
});

test("the field's mapping agrees with the anchors after the same edits", () => {
  const side = docWith(SCRIPT);
  const thread = threadOn(side, PHRASE);
  const p = placeThread(side.ytext, thread);
  let state = EditorState.create({ doc: SCRIPT, extensions: [commentField] });
  state = state.update({ effects: setCommentRanges.of([{ id: 1, open: true, ...p }]) }).state;
  const edits = [
    { from: 0, insert: "第1集\n" },
    () => ({ from: state.doc.toString().indexOf(PHRASE), insert: "大" }),
    () => ({ from: state.doc.toString().indexOf(PHRASE) + 3, insert: "了" }),
    () => ({ from: state.doc.toString().indexOf(PHRASE) + 1, insert: "没" }),
    () => ({ from: state.doc.toString().indexOf("门没开") + 2, to: state.doc.toString().indexOf("门没开") + 4 }),
  ];
  for (const e of edits) {
    const change = typeof e === "function" ? e() : e;
    state = state.update({ changes: change }).state;
    if (change.to != null) side.ytext.delete(change.from, change.to - change.from);
    else side.ytext.insert(change.from, change.insert);
    assert.equal(side.ytext.toString(), state.doc.toString());
    const r = state.field(commentField).list[0];
    const q = placeThread(side.ytext, thread);
    assert.deepEqual([r.from, r.to], [q.from, q.to]);
  }
  assert.equal(covered(side, thread).text, "门没");
});
