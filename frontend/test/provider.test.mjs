// The websocket provider against a fake WebSocket and a scripted "server":
// frame codec, handshake order, ACK / unsynced bookkeeping, reconnect.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as Y from "yjs";
import * as awarenessMod from "y-protocols/awareness";
import { Awareness, encodeAwarenessUpdate, applyAwarenessUpdate } from "y-protocols/awareness";
import {
  CollabProvider, decodeFrame, encodeSyncStep1, encodeSyncStep2, encodeSyncUpdate, encodeAck,
  encodeNotice, encodeAwareness, MSG_SYNC, MSG_AWARENESS, MSG_ACK, MSG_NOTICE,
  SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE,
} from "../src/provider.js";

// ------------------------------------------------------------------ fakes

class FakeWS {
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.closedWith = null;
    FakeWS.all.push(this);
  }
  send(data) {
    if (this.readyState !== 1) throw new Error("send on a socket that is not open");
    this.sent.push(new Uint8Array(data));
  }
  close(code = 1000, reason = "") {
    if (this.readyState >= 2) return;
    this.closedWith = code;
    this.serverClose(code, reason);
  }
  // test side
  open() { this.readyState = 1; this.onopen && this.onopen({}); }
  receive(bytes) { this.onmessage && this.onmessage({ data: bytes.slice().buffer }); }
  serverClose(code = 1006, reason = "") {
    this.readyState = 3;
    this.onclose && this.onclose({ code, reason });
  }
  take() { const s = this.sent.map(decodeFrame); this.sent = []; return s; }
}

class FakeWindow {
  constructor() { this.l = {}; }
  addEventListener(t, f) { (this.l[t] ||= new Set()).add(f); }
  removeEventListener(t, f) { this.l[t] && this.l[t].delete(f); }
  fire(t, ev = {}) { for (const f of this.l[t] || []) f(ev); }
}

function setup(opts = {}) {
  FakeWS.all = [];
  const doc = new Y.Doc();
  const awareness = new Awareness(doc);
  const timers = [];
  const win = new FakeWindow();
  const nav = { onLine: true };
  const statuses = [];
  const notices = [];
  const p = new CollabProvider({
    url: "ws://test/ws/p/demo/e/1/doc/",
    doc, awareness, WebSocket: FakeWS, window: win, navigator: nav,
    setTimeout: (f, ms) => { const t = { f, ms, done: false }; timers.push(t); return t; },
    clearTimeout: (t) => { if (t) t.done = true; },
    random: () => 0.5,
    connect: false,
    ...opts,
  });
  p.on("status", (s, n) => statuses.push([s, n]));
  p.on("notice", (n) => notices.push(n));
  const env = {
    p, doc, awareness, timers, win, nav, statuses, notices,
    get ws() { return FakeWS.all[FakeWS.all.length - 1]; },
    runTimer() {
      const t = timers.filter((x) => !x.done).pop();
      assert.ok(t, "a reconnect timer is pending");
      t.done = true;
      t.f();
      return t.ms;
    },
    pendingTimers: () => timers.filter((x) => !x.done),
    cleanup() { p.destroy(); awareness.destroy(); doc.destroy(); },
  };
  return env;
}

/** A scripted server: keeps a Y.Doc, answers the client's frames like the real one. */
function handshake(env, server, { ack = false } = {}) {
  const ws = env.ws;
  ws.open();
  ws.receive(encodeSyncStep1(server)); // the server sends step 1 on connect
  const out = ws.take();
  const step1 = out.find((m) => m.type === MSG_SYNC && m.sync === SYNC_STEP1);
  assert.ok(step1, "client sent step 1");
  for (const m of out) if (m.type === MSG_SYNC && m.sync !== SYNC_STEP1) Y.applyUpdate(server, m.payload);
  const step2s = out.filter((m) => m.type === MSG_SYNC && m.sync === SYNC_STEP2).length;
  ws.receive(encodeSyncStep2(server, step1.payload)); // ... and answers the client's step 1
  if (ack && step2s) ws.receive(encodeAck(step2s));
  return out;
}

const text = (doc) => doc.getText("script").toString();
const edit = (doc, pos, s) => doc.getText("script").insert(pos, s);

// ------------------------------------------------------------------ codec

test("frame codec round-trips every message type", () => {
  const doc = new Y.Doc();
  edit(doc, 0, "第1集 标题\n1-1 日 内 客厅");
  let m = decodeFrame(encodeSyncStep1(doc));
  assert.equal(m.type, MSG_SYNC);
  assert.equal(m.sync, SYNC_STEP1);
  assert.deepEqual(m.payload, Y.encodeStateVector(doc));

  m = decodeFrame(encodeSyncStep2(doc, new Uint8Array([0])));
  assert.equal(m.sync, SYNC_STEP2);
  const other = new Y.Doc();
  Y.applyUpdate(other, m.payload);
  assert.equal(text(other), text(doc));

  const upd = Y.encodeStateAsUpdate(doc);
  m = decodeFrame(encodeSyncUpdate(upd));
  assert.equal(m.sync, SYNC_UPDATE);
  assert.deepEqual(m.payload, upd);

  for (const n of [0, 1, 127, 128, 300, 70000]) {
    m = decodeFrame(encodeAck(n));
    assert.equal(m.type, MSG_ACK);
    assert.equal(m.n, n);
  }
  assert.deepEqual([...encodeAck(1)], [2, 1]);

  m = decodeFrame(encodeNotice({ code: "role_changed", role: "viewer", message: "你现在只能查看" }));
  assert.equal(m.type, MSG_NOTICE);
  assert.deepEqual(m.notice, { code: "role_changed", role: "viewer", message: "你现在只能查看" });

  // a server written with another library: varuint type, varstring
  const raw = new TextEncoder().encode('{"code":"removed"}');
  m = decodeFrame(new Uint8Array([3, raw.length, ...raw]).buffer);
  assert.equal(m.notice.code, "removed");
  m = decodeFrame(new Uint8Array([3, 3, 0x7b, 0x7b, 0x7b]));
  assert.equal(m.notice.code, "invalid");

  const aw = new Awareness(doc);
  aw.setLocalStateField("user", { name: "张三" });
  m = decodeFrame(encodeAwareness(aw, [doc.clientID]));
  assert.equal(m.type, MSG_AWARENESS);
  assert.deepEqual(m.payload, encodeAwarenessUpdate(aw, [doc.clientID]));
  assert.equal(decodeFrame(new Uint8Array([9, 1, 2])).type, 9);
  aw.destroy();
});

// -------------------------------------------------------------- handshake

test("on open the client sends step 1, answers the server's step 1 and is synced by its step 2", () => {
  const env = setup();
  const { p, awareness, doc } = env;
  awareness.setLocalStateField("user", { id: 7, name: "Ann", color: "#0b5cad" });
  const server = new Y.Doc();
  edit(server, 0, "INT. HOUSE - DAY\n\nHi.");
  const synced = [];
  p.on("synced", (first) => synced.push(first));
  p.connect();
  assert.equal(p.state, "connecting");
  const ws = env.ws;
  assert.equal(ws.url, "ws://test/ws/p/demo/e/1/doc/");
  assert.equal(ws.binaryType, "arraybuffer");
  ws.open();
  const first = ws.take();
  assert.equal(first[0].type, MSG_SYNC);
  assert.equal(first[0].sync, SYNC_STEP1);
  assert.equal(first[1].type, MSG_AWARENESS);

  ws.receive(encodeSyncStep1(server));
  const reply = ws.take();
  assert.equal(reply.length, 1);
  assert.equal(reply[0].sync, SYNC_STEP2);
  assert.equal(p.state, "connecting", "not synced before the server's step 2");
  assert.equal(p.unsynced, 0, "an empty step 2 weighs nothing");

  ws.receive(encodeSyncStep2(server, first[0].payload));
  assert.equal(text(doc), "INT. HOUSE - DAY\n\nHi.");
  assert.equal(p.state, "synced");
  assert.deepEqual(synced, [true]);
  assert.equal(ws.take().length, 0, "updates from the server are not sent back");

  ws.receive(encodeAck(1)); // the ACK of the empty step 2
  assert.equal(p.unsynced, 0);
  assert.deepEqual(env.statuses.at(-1), ["synced", 0]);
  env.cleanup();
});

// ---------------------------------------------------------- bookkeeping

test("local updates are sent and counted until ACKed; remote ones are neither", () => {
  const env = setup();
  const { p, doc } = env;
  const server = new Y.Doc();
  p.connect();
  handshake(env, server, { ack: true });
  assert.equal(p.state, "synced");
  edit(doc, 0, "a");
  edit(doc, 1, "b");
  edit(doc, 2, "c");
  const frames = env.ws.take();
  assert.equal(frames.length, 3);
  for (const f of frames) {
    assert.equal(f.sync, SYNC_UPDATE);
    Y.applyUpdate(server, f.payload);
  }
  assert.equal(text(server), "abc");
  assert.equal(p.unsynced, 3);
  env.ws.receive(encodeAck(2));
  assert.equal(p.unsynced, 1);
  // a remote edit: applied with the provider as origin, not echoed, not counted
  const remote = new Y.Doc();
  Y.applyUpdate(remote, Y.encodeStateAsUpdate(server));
  let upd = null;
  remote.on("update", (u) => { upd = u; });
  edit(remote, 3, "XYZ");
  let origin = null;
  doc.on("update", (_u, o) => { origin = o; });
  env.ws.receive(encodeSyncUpdate(upd));
  assert.equal(origin, p);
  assert.equal(text(doc), "abcXYZ");
  assert.equal(env.ws.take().length, 0);
  assert.equal(p.unsynced, 1);
  env.ws.receive(encodeAck(1));
  assert.equal(p.unsynced, 0);
  env.ws.receive(encodeAck(5)); // more ACKs than frames: ignored
  assert.equal(p.unsynced, 0);
  // "status" fires on every change of (state, unsynced), and only then
  assert.deepEqual(env.statuses.slice(-5), [["synced", 1], ["synced", 2], ["synced", 3], ["synced", 1], ["synced", 0]]);
  env.cleanup();
});

test("edits made offline and frames never ACKed ride in the next step 2 and one ACK clears them", () => {
  const env = setup();
  const { p, doc } = env;
  const server = new Y.Doc();
  edit(server, 0, "1-1 日 内 客厅\n");
  p.connect();
  handshake(env, server, { ack: true });
  edit(doc, doc.getText("script").length, "△他");
  edit(doc, doc.getText("script").length, "推门");
  const lost = env.ws.take(); // sent, but the connection dies before they reach the server
  assert.equal(lost.length, 2);
  assert.equal(p.unsynced, 2);
  env.ws.serverClose(1006);
  assert.equal(p.state, "reconnecting");
  assert.equal(p.unsynced, 2);
  edit(doc, doc.getText("script").length, "进来。");
  assert.equal(p.unsynced, 3, "an offline edit counts");
  assert.equal(env.ws.sent.length, 0);
  const delay = env.runTimer();
  assert.ok(delay >= 500 && delay <= 10000, "backoff delay " + delay);
  const ws2 = env.ws;
  assert.notEqual(ws2, FakeWS.all[0]);
  ws2.open();
  edit(doc, doc.getText("script").length, "\n张父：你");
  assert.equal(p.unsynced, 4, "an edit before our step 2 waits for it");
  assert.deepEqual(ws2.take().filter((m) => m.type === MSG_SYNC).map((m) => m.sync), [SYNC_STEP1], "only step 1 so far");
  ws2.receive(encodeSyncStep1(server));
  const out = ws2.take();
  const step2 = out.find((m) => m.sync === SYNC_STEP2);
  Y.applyUpdate(server, step2.payload);
  assert.equal(text(server), "1-1 日 内 客厅\n△他推门进来。\n张父：你");
  assert.equal(p.unsynced, 4);
  ws2.receive(encodeSyncStep2(server, Y.encodeStateVector(doc)));
  assert.equal(p.state, "synced");
  edit(doc, doc.getText("script").length, "好");
  assert.equal(p.unsynced, 5);
  ws2.receive(encodeAck(1)); // the step 2
  assert.equal(p.unsynced, 1);
  ws2.receive(encodeAck(1));
  assert.equal(p.unsynced, 0);
  env.cleanup();
});

test("a refused frame (NOTICE too_large) stays unsynced without shifting later ACKs", () => {
  const env = setup();
  const { p, doc } = env;
  p.connect();
  handshake(env, new Y.Doc(), { ack: true });
  edit(doc, 0, "x".repeat(50));
  edit(doc, 0, "y");
  assert.equal(p.unsynced, 2);
  env.ws.receive(encodeNotice({ code: "too_large", message: "太长了" }));
  assert.equal(p.unsynced, 2);
  env.ws.receive(encodeAck(1)); // for "y"
  assert.equal(p.unsynced, 1, "the refused edit is still unsynced");
  assert.equal(env.notices[0].code, "too_large");
  env.cleanup();
});

// ----------------------------------------------------------------- roles

test("role_changed to viewer makes the client read-only; back to writer sends the held edits", () => {
  const env = setup();
  const { p, doc } = env;
  const server = new Y.Doc();
  const ro = [];
  p.on("readonly", (b) => ro.push(b));
  p.connect();
  handshake(env, server, { ack: true });
  env.ws.receive(encodeNotice({ code: "role_changed", role: "viewer", message: "…" }));
  assert.deepEqual(ro, [true]);
  assert.equal(p.state, "readonly");
  edit(doc, 0, "held");
  assert.equal(env.ws.sent.length, 0, "a read-only client sends no document update");
  assert.equal(p.unsynced, 1);
  env.ws.receive(encodeNotice({ code: "role_changed", role: "writer", message: "…" }));
  assert.deepEqual(ro, [true, false]);
  assert.equal(p.state, "synced");
  const out = env.ws.take();
  assert.equal(out.length, 1);
  assert.equal(out[0].sync, SYNC_STEP2);
  Y.applyUpdate(server, out[0].payload);
  assert.equal(text(server), "held");
  env.ws.receive(encodeAck(1));
  assert.equal(p.unsynced, 0);
  env.cleanup();
});

test("a read-only client does not answer step 1 with its own step 2", () => {
  const env = setup({ readOnly: true });
  env.p.connect();
  const out = handshake(env, new Y.Doc());
  assert.deepEqual(out.filter((m) => m.type === MSG_SYNC).map((m) => m.sync), [SYNC_STEP1]);
  assert.equal(env.p.state, "readonly");
  env.cleanup();
});

test("close codes 4401/4403/4404 stop reconnecting and report the reason", () => {
  for (const code of [4401, 4403, 4404]) {
    const env = setup();
    const closes = [];
    const ro = [];
    env.p.on("close", (e) => closes.push(e));
    env.p.on("readonly", (b) => ro.push(b));
    env.p.connect();
    handshake(env, new Y.Doc(), { ack: true });
    if (code === 4403) env.ws.receive(encodeNotice({ code: "removed", message: "你已被移出" }));
    env.ws.serverClose(code, "bye");
    assert.equal(env.p.state, "readonly");
    assert.deepEqual(closes, [{ code, reason: "bye", fatal: true }]);
    assert.deepEqual(ro, [true]);
    assert.equal(env.pendingTimers().length, 0);
    env.win.fire("online");
    assert.equal(FakeWS.all.length, 1, "no reconnect, even when the network comes back");
    env.cleanup();
  }
});

// -------------------------------------------------------------- reconnect

test("backoff doubles from 0.5 s up to 10 s; more than 3 failures is offline; online reconnects at once", () => {
  const env = setup({ random: () => 0.5 });
  const { p } = env;
  p.connect();
  const delays = [];
  for (let i = 0; i < 8; i++) {
    env.ws.serverClose(1006);
    delays.push(env.runTimer());
  }
  assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  assert.equal(p.state, "offline");
  env.ws.serverClose(1006);
  assert.equal(env.pendingTimers().length, 1);
  const before = FakeWS.all.length;
  env.win.fire("online");
  assert.equal(FakeWS.all.length, before + 1, "reconnected immediately");
  assert.equal(env.pendingTimers().length, 0);
  assert.equal(p.state, "connecting", "never synced yet: connecting again");
  handshake(env, new Y.Doc(), { ack: true });
  assert.equal(p.state, "synced");
  env.cleanup();
});

test("jitter keeps the delay within ±25 % and inside [0.5 s, 10 s]", () => {
  for (const r of [0, 0.999]) {
    const env = setup({ random: () => r });
    env.p.connect();
    const delays = [];
    for (let i = 0; i < 7; i++) { env.ws.serverClose(1006); delays.push(env.runTimer()); }
    for (const [i, d] of delays.entries()) {
      const base = Math.min(10000, 500 * 2 ** i);
      assert.ok(d >= Math.max(500, base * 0.75) - 1 && d <= Math.min(10000, base * 1.25) + 1, `${i}: ${d}`);
    }
    env.cleanup();
  }
});

test("navigator offline: state offline, the socket is dropped and edits count", () => {
  const env = setup();
  const { p, doc } = env;
  p.connect();
  handshake(env, new Y.Doc(), { ack: true });
  env.nav.onLine = false;
  env.win.fire("offline");
  assert.equal(env.ws.closedWith, 1000);
  assert.equal(p.state, "offline");
  edit(doc, 0, "离线");
  assert.equal(p.unsynced, 1);
  env.nav.onLine = true;
  env.win.fire("online");
  assert.equal(p.state, "reconnecting");
  const out = handshake(env, new Y.Doc());
  assert.ok(out.some((m) => m.sync === SYNC_STEP2));
  env.ws.receive(encodeAck(1));
  assert.equal(p.unsynced, 0);
  env.cleanup();
});

test("a connection that drops right after syncing does not reconnect in a tight loop", () => {
  let now = 0;
  const env = setup({ now: () => now });
  env.p.connect();
  const delays = [];
  for (let i = 0; i < 4; i++) {
    handshake(env, new Y.Doc());
    env.ws.serverClose(4409);
    delays.push(env.runTimer());
  }
  assert.deepEqual(delays, [500, 1000, 2000, 4000]);
  handshake(env, new Y.Doc());
  now += 60000; // a long, healthy connection resets the backoff
  env.ws.serverClose(1006);
  assert.equal(env.runTimer(), 500);
  env.cleanup();
});

// -------------------------------------------------------------- awareness

test("awareness: local changes are sent, remote ones applied, newcomers greeted, removal on pagehide", () => {
  const env = setup();
  const { p, doc, awareness } = env;
  awareness.setLocalStateField("user", { id: 1, name: "张三", color: "#cf222e", colorLight: "#cf222e33" });
  p.connect();
  handshake(env, new Y.Doc(), { ack: true });
  awareness.setLocalStateField("cursor", { anchor: 1, head: 2 });
  let out = env.ws.take();
  assert.equal(out.length, 1);
  assert.equal(out[0].type, MSG_AWARENESS);

  const otherDoc = new Y.Doc();
  const other = new Awareness(otherDoc);
  other.setLocalStateField("user", { id: 2, name: "李四", color: "#0b5cad" });
  env.ws.receive(encodeAwareness(other, [otherDoc.clientID]));
  assert.equal(awareness.getStates().get(otherDoc.clientID).user.name, "李四");
  out = env.ws.take();
  assert.equal(out.length, 1, "greets the newcomer with our state");
  const back = new Awareness(new Y.Doc());
  applyAwarenessUpdate(back, out[0].payload, "test");
  assert.equal(back.getStates().get(doc.clientID).user.name, "张三");
  // a second update from the same client is not greeted again
  other.setLocalStateField("cursor", null);
  env.ws.receive(encodeAwareness(other, [otherDoc.clientID]));
  assert.equal(env.ws.take().length, 0);

  env.win.fire("pagehide");
  out = env.ws.take();
  assert.equal(out.length, 1);
  applyAwarenessUpdate(back, out[0].payload, "test");
  assert.equal(back.getStates().has(doc.clientID), false, "the removal reached the others");

  // on close, the others' states go (they are relayed, nobody times them out for us)
  env.ws.serverClose(1006);
  assert.equal(awareness.getStates().has(otherDoc.clientID), false);
  other.destroy();
  back.destroy();
  env.cleanup();
});

test("awareness after a reconnect: we come back above the server's removal clock, and greet whoever shows up", () => {
  const env = setup();
  const { p, doc, awareness } = env;
  awareness.setLocalStateField("user", { id: 1, name: "张三" });
  p.connect();
  handshake(env, new Y.Doc(), { ack: true });
  const peerDoc = new Y.Doc();
  const peer = new Awareness(peerDoc); // another page, as its provider sees the relayed frames
  peer.setLocalStateField("user", { id: 2, name: "李四" });
  applyAwarenessUpdate(peer, decodeFrame(encodeAwareness(awareness, [doc.clientID])).payload, "relay");
  env.ws.receive(encodeAwareness(peer, [peerDoc.clientID]));
  env.ws.take();
  assert.ok(awareness.getStates().has(peerDoc.clientID));

  env.ws.serverClose(1006);
  assert.equal(awareness.getStates().has(peerDoc.clientID), false, "their cursor went with the connection");
  // the server tells the others we left: our last clock + 1, state null
  const clock = awareness.meta.get(doc.clientID).clock;
  const removal = new Awareness(new Y.Doc());
  removal.meta.set(doc.clientID, { clock: clock + 1, lastUpdated: 0 });
  applyAwarenessUpdate(peer, awarenessMod.encodeAwarenessUpdate(removal, [doc.clientID], new Map([[doc.clientID, null]])), "relay");
  assert.equal(peer.getStates().has(doc.clientID), false);
  assert.equal(peer.meta.get(doc.clientID).clock, clock + 1);
  removal.destroy();

  env.runTimer();
  env.ws.open();
  const aw = env.ws.take().filter((m) => m.type === MSG_AWARENESS);
  for (const m of aw) applyAwarenessUpdate(peer, m.payload, "relay");
  assert.equal(peer.getStates().get(doc.clientID).user.name, "张三", "visible again at once");
  // the server's snapshot of the others arrives: they are new to us, we answer once
  env.ws.receive(encodeAwareness(peer, [peerDoc.clientID]));
  assert.equal(awareness.getStates().get(peerDoc.clientID).user.name, "李四");
  assert.equal(env.ws.take().filter((m) => m.type === MSG_AWARENESS).length, 1);
  peer.setLocalStateField("cursor", { anchor: 1, head: 1 });
  env.ws.receive(encodeAwareness(peer, [peerDoc.clientID]));
  assert.equal(env.ws.take().length, 0, "no second answer");
  peer.destroy();
  env.cleanup();
});
