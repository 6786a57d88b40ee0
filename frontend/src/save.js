// Ctrl/Cmd+S in the live editor: "save" means the server writes the episode's Scene rows now
// (docs/collab-protocol.md, frame 4 SAVE), instead of after its idle pause. Every edit is stored
// in the update log before it is acknowledged already; what a save adds is that the next page
// (the board, a scene page, the reading view) shows the rows as just typed.
//
//   const saver = createSaver(provider, {timeout});
//   saver.save() -> Promise<{ok: true} | {ok: false, reason: "offline"|"failed"|"timeout"}>
//   saver.on(fn)  fn(state): "saving" | "saved" | "failed"
//
// A viewer has nothing to save: save() resolves {ok: true, nothing: true} at once.
import * as encoding from "lib0/encoding";

export const MSG_SAVE = 4;

/** The SAVE frame: varuint type 4, varuint request id. */
export function encodeSave(id) {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MSG_SAVE);
  encoding.writeVarUint(enc, id >>> 0);
  return encoding.toUint8Array(enc);
}

export function createSaver(provider, opts = {}) {
  const timeout = opts.timeout || 8000;
  const setT = opts.setTimeout || ((f, ms) => setTimeout(f, ms));
  const clearT = opts.clearTimeout || ((t) => clearTimeout(t));
  const listeners = new Set();
  const waiting = new Map(); // request id -> finish(result)
  let nextId = 1;
  let current = null; // the save under way: a second Ctrl+S joins it

  const tell = (state) => listeners.forEach((fn) => { try { fn(state); } catch (e) { console.error(e); } });

  provider.on("notice", (notice) => {
    if (!notice || (notice.code !== "saved" && notice.code !== "save_failed")) return;
    const finish = waiting.get(notice.id);
    if (finish) finish(notice.code === "saved" ? { ok: true } : { ok: false, reason: "failed" });
  });
  // A connection that drops loses its pending answers: those saves are retried once it is back.
  provider.on("close", () => {
    for (const [id, finish] of Array.from(waiting)) finish({ retry: true, id });
  });

  function whenConnected(deadline) {
    return new Promise((resolve) => {
      const ready = () => provider.connected && provider.state === "synced";
      if (ready()) return resolve(true);
      const onStatus = () => { if (ready()) done(true); };
      const timer = setT(() => done(false), Math.max(0, deadline - Date.now()));
      function done(ok) {
        clearT(timer);
        provider.off("status", onStatus);
        resolve(ok);
      }
      provider.on("status", onStatus);
    });
  }

  function request(deadline) {
    return new Promise((resolve) => {
      const id = nextId++;
      const timer = setT(() => finish({ ok: false, reason: "timeout" }), Math.max(0, deadline - Date.now()));
      function finish(result) {
        clearT(timer);
        waiting.delete(id);
        resolve(result);
      }
      waiting.set(id, finish);
      provider._send(encodeSave(id));
    });
  }

  async function run() {
    const deadline = Date.now() + timeout;
    // Known to be offline: say so at once (a link is then followed; the leave warning speaks).
    if (provider.state === "offline") return { ok: false, reason: "offline" };
    for (;;) {
      if (!(await whenConnected(deadline))) return { ok: false, reason: "offline" };
      // Frames are handled in order: our updates sent before this are stored before it is answered.
      const result = await request(deadline);
      if (!result.retry) return result;
    }
  }

  function save() {
    if (provider.readOnly || provider.fatal) return Promise.resolve({ ok: true, nothing: true });
    if (current) return current;
    tell("saving");
    current = run().then((result) => {
      current = null;
      tell(result.ok ? "saved" : "failed");
      return result;
    });
    return current;
  }

  return {
    save,
    on(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    get busy() { return !!current; },
  };
}
