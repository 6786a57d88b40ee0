// The saver against a fake provider: one SAVE frame, answered by NOTICE "saved"; nothing for a viewer;
// offline fails at once; a dropped connection's save is sent again once it is back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createSaver, MSG_SAVE } from "../src/save.js";

const tick = () => new Promise((r) => setTimeout(r, 0));

function fakeProvider(state = "synced") {
  const handlers = new Map();
  return {
    state, connected: state === "synced", readOnly: false, fatal: null, sent: [],
    on(name, fn) { if (!handlers.has(name)) handlers.set(name, new Set()); handlers.get(name).add(fn); },
    off(name, fn) { handlers.get(name)?.delete(fn); },
    emit(name, ...args) { for (const fn of handlers.get(name) || []) fn(...args); },
    _send(bytes) { this.sent.push(Array.from(bytes)); },
  };
}

test("a save sends one frame and ends with the server's answer", async () => {
  const p = fakeProvider();
  const states = [];
  const saver = createSaver(p);
  saver.on((s) => states.push(s));
  const done = saver.save();
  assert.equal(saver.save(), done); // a second Ctrl+S joins the first
  await tick();
  assert.deepEqual(p.sent, [[MSG_SAVE, 1]]);
  p.emit("notice", { code: "saved", id: 1 });
  assert.deepEqual(await done, { ok: true });
  assert.deepEqual(states, ["saving", "saved"]);
});

test("a viewer has nothing to save; offline fails at once", async () => {
  const viewer = fakeProvider();
  viewer.readOnly = true;
  assert.deepEqual(await createSaver(viewer).save(), { ok: true, nothing: true });
  assert.deepEqual(viewer.sent, []);
  const away = fakeProvider("offline");
  assert.deepEqual(await createSaver(away).save(), { ok: false, reason: "offline" });
});

test("a save cut off by a dropped connection is sent again when it is back", async () => {
  const p = fakeProvider();
  const done = createSaver(p).save();
  await tick();
  p.connected = false;
  p.state = "reconnecting";
  p.emit("close", {});
  await tick();
  p.connected = true;
  p.state = "synced";
  p.emit("status", "synced", 0);
  await tick();
  assert.deepEqual(p.sent, [[MSG_SAVE, 1], [MSG_SAVE, 2]]);
  p.emit("notice", { code: "saved", id: 2 });
  assert.deepEqual(await done, { ok: true });
});
