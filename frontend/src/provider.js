// A small websocket provider for one Y.Doc, speaking the protocol of
// docs/collab-protocol.md (binary frames, each starting with a varuint type):
//
//   0 SYNC       both ways   y-protocols sync: step 1 / step 2 / update
//   1 AWARENESS  both ways   y-protocols awareness update (relayed by the server)
//   2 ACK        server→us   varuint n: our n oldest unacknowledged update frames
//                            (step 2 or update) are stored
//   3 NOTICE     server→us   varstring JSON {code, message, ...}
//
// Unsynced changes = local update frames sent and not yet ACKed + local edits
// made while no update frame could be sent (disconnected, or connected but
// before we answered the server's step 1).  After a reconnect our step 2
// carries all of those, and its single ACK clears them.
//
// States: "connecting" (first connection, not yet synced), "synced" (connected
// and the server's step 2 received), "reconnecting", "offline" (navigator.onLine
// is false, or more than `maxAttempts` attempts failed in a row), "readonly"
// (synced but read-only, or the server closed with 4401/4403/4404).
import * as Y from "yjs";
import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";
import * as syncProtocol from "y-protocols/sync";
import * as awarenessProtocol from "y-protocols/awareness";

export const MSG_SYNC = 0;
export const MSG_AWARENESS = 1;
export const MSG_ACK = 2;
export const MSG_NOTICE = 3;
export const SYNC_STEP1 = syncProtocol.messageYjsSyncStep1; // 0
export const SYNC_STEP2 = syncProtocol.messageYjsSyncStep2; // 1
export const SYNC_UPDATE = syncProtocol.messageYjsUpdate; // 2

/** Close codes after which reconnecting cannot help. */
export const FATAL_CLOSE_CODES = [4401, 4403, 4404];
/** NOTICE codes that answer (refuse) our oldest unacknowledged update frame. */
export const REFUSAL_NOTICES = ["read_only", "too_large", "rate_limited", "bad_message"];
const EDIT_ROLES = ["writer", "showrunner"];

// ------------------------------------------------------------ frame codec

function frame(type, write) {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, type);
  write(enc);
  return encoding.toUint8Array(enc);
}

/** SYNC step 1: our state vector. */
export function encodeSyncStep1(doc) {
  return frame(MSG_SYNC, (enc) => syncProtocol.writeSyncStep1(enc, doc));
}

/** SYNC step 2: what `stateVector` (the other side's) is missing from `doc`. */
export function encodeSyncStep2(doc, stateVector) {
  return frame(MSG_SYNC, (enc) => syncProtocol.writeSyncStep2(enc, doc, stateVector));
}

/** SYNC update carrying one Yjs update. */
export function encodeSyncUpdate(update) {
  return frame(MSG_SYNC, (enc) => syncProtocol.writeUpdate(enc, update));
}

export function encodeAwareness(awareness, clients) {
  return frame(MSG_AWARENESS, (enc) =>
    encoding.writeVarUint8Array(enc, awarenessProtocol.encodeAwarenessUpdate(awareness, clients)));
}

/** Server frames, for tests and fake servers. */
export function encodeAck(n) {
  return frame(MSG_ACK, (enc) => encoding.writeVarUint(enc, n));
}

export function encodeNotice(notice) {
  return frame(MSG_NOTICE, (enc) => encoding.writeVarString(enc, JSON.stringify(notice)));
}

/**
 * Decode one frame (Uint8Array or ArrayBuffer):
 *   {type: 0, sync: 0|1|2, payload}   payload = state vector (step 1) or update
 *   {type: 1, payload}                 awareness update
 *   {type: 2, n}
 *   {type: 3, notice}                  parsed JSON ({code:"invalid", raw} if unparsable)
 *   {type: other}                      unknown (ignored by the provider)
 */
export function decodeFrame(data) {
  const buf = data instanceof Uint8Array ? data : new Uint8Array(data);
  const dec = decoding.createDecoder(buf);
  const type = decoding.readVarUint(dec);
  switch (type) {
    case MSG_SYNC: {
      const sync = decoding.readVarUint(dec);
      return { type, sync, payload: decoding.readVarUint8Array(dec) };
    }
    case MSG_AWARENESS:
      return { type, payload: decoding.readVarUint8Array(dec) };
    case MSG_ACK:
      return { type, n: decoding.readVarUint(dec) };
    case MSG_NOTICE: {
      const raw = decoding.readVarString(dec);
      let notice;
      try { notice = JSON.parse(raw); } catch (e) { notice = null; }
      if (!notice || typeof notice !== "object") notice = { code: "invalid", raw };
      return { type, notice };
    }
    default:
      return { type };
  }
}

// ----------------------------------------------------------------- provider

const OPEN = 1;

export class CollabProvider {
  /**
   * @param {object} o
   * @param {string} o.url            ws:// or wss:// URL
   * @param {Y.Doc} o.doc
   * @param {awarenessProtocol.Awareness} [o.awareness]  default: a new one on doc
   * @param {boolean} [o.readOnly]    do not send document updates
   * @param {boolean} [o.connect]     connect now (default true)
   * @param {number} [o.minDelay]     first reconnect delay, ms (500)
   * @param {number} [o.maxDelay]     longest reconnect delay, ms (10000)
   * @param {number} [o.maxAttempts]  failed attempts in a row before "offline" (3)
   * Injectable for tests: WebSocket, window (online/offline/pagehide events),
   * navigator, setTimeout, clearTimeout, random, now.
   */
  constructor(o) {
    this.url = o.url;
    this.doc = o.doc;
    this.awareness = o.awareness || new awarenessProtocol.Awareness(o.doc);
    this.WebSocket = o.WebSocket || globalThis.WebSocket;
    this.win = o.window !== undefined ? o.window : (typeof window !== "undefined" ? window : null);
    this.nav = o.navigator !== undefined ? o.navigator : (typeof navigator !== "undefined" ? navigator : null);
    this._setTimeout = o.setTimeout || ((f, ms) => setTimeout(f, ms));
    this._clearTimeout = o.clearTimeout || ((t) => clearTimeout(t));
    this._random = o.random || Math.random;
    this._now = o.now || (() => Date.now());
    this.minDelay = o.minDelay ?? 500;
    this.maxDelay = o.maxDelay ?? 10000;
    this.maxAttempts = o.maxAttempts ?? 3;

    this.ws = null;
    this.readOnly = !!o.readOnly;   // effective: option or viewer role
    this.fatal = null;              // {code, reason} after a 4401/4403/4404 close
    this.everSynced = false;
    this.connSynced = false;        // this connection received the server's step 2
    this.failedAttempts = 0;        // connections in a row that closed before syncing
    this._backoff = 0;
    this._handshaken = false;       // we answered the server's step 1 on this connection
    this._serverSV = null;          // the server's state vector from its step 1
    this._inflight = [];            // weights (edits) of unacknowledged update frames, oldest first
    this._offline = 0;              // local edits not carried by any frame in flight
    this._timer = null;
    this._stopped = false;
    this._destroyed = false;
    this._handlers = new Map();
    this._lastStatus = null;
    this._openedAt = null;
    this._wasOpen = false;
    this._savedLocalState = null;

    this._onDocUpdate = (update, origin) => {
      if (origin === this) return;
      if (this._canSendUpdates()) {
        this._send(encodeSyncUpdate(update));
        this._inflight.push(1);
      } else {
        this._offline++;
      }
      this._emitStatus();
    };
    this.doc.on("update", this._onDocUpdate);

    // The server relays awareness and keeps none: whoever shows up (a new page,
    // or one back from a reconnect) is told our state at once.
    this._known = new Set(); // remote clients whose state we hold
    this._onAwarenessUpdate = ({ added, updated, removed }, origin) => {
      const me = this.doc.clientID;
      for (const id of removed) this._known.delete(id);
      if (origin === this) {
        let newcomer = false;
        for (const id of added.concat(updated)) {
          if (id !== me && !this._known.has(id)) { this._known.add(id); newcomer = true; }
        }
        if (newcomer && this.awareness.getLocalState() !== null) this._sendAwareness([me]);
        return;
      }
      // Only our own state goes out (not, e.g., others' states timing out here).
      if (added.includes(me) || updated.includes(me) || removed.includes(me)) this._sendAwareness([me]);
    };
    this.awareness.on("update", this._onAwarenessUpdate);

    this._onOnline = () => {
      if (this._stopped || this.fatal || this._destroyed) return;
      this.failedAttempts = 0;
      this._backoff = 0;
      if (!this.ws) { this._cancelTimer(); this._open(); }
      this._emitStatus();
    };
    this._onOffline = () => {
      // The socket may linger for minutes after the network is gone: drop it,
      // so edits count as unsynced now and the reconnect starts from "online".
      if (this.ws) this.ws.close();
      this._emitStatus();
    };
    this._onPageHide = () => {
      this._savedLocalState = this.awareness.getLocalState();
      awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], "window unload");
    };
    this._onPageShow = (ev) => {
      if (ev && ev.persisted && this._savedLocalState && this.awareness.getLocalState() === null) {
        this.awareness.setLocalState(this._savedLocalState);
      }
    };
    if (this.win && this.win.addEventListener) {
      this.win.addEventListener("online", this._onOnline);
      this.win.addEventListener("offline", this._onOffline);
      this.win.addEventListener("pagehide", this._onPageHide);
      this.win.addEventListener("pageshow", this._onPageShow);
    }
    if (o.connect !== false) this.connect();
    else this._emitStatus();
  }

  // ---------------------------------------------------------------- events
  /** Events: "status" (state, unsynced), "synced" (first: boolean), "notice" (notice),
   *  "readonly" (readOnly: boolean), "close" ({code, reason, fatal}). */
  on(name, fn) {
    if (!this._handlers.has(name)) this._handlers.set(name, new Set());
    this._handlers.get(name).add(fn);
    return this;
  }

  off(name, fn) {
    const s = this._handlers.get(name);
    if (s) s.delete(fn);
    return this;
  }

  _emit(name, ...args) {
    const s = this._handlers.get(name);
    if (!s) return;
    for (const fn of Array.from(s)) {
      try { fn(...args); } catch (e) { console.error(e); }
    }
  }

  // ----------------------------------------------------------------- state
  /** Number of local changes the server has not confirmed yet. */
  get unsynced() {
    let n = this._offline;
    for (const w of this._inflight) n += w;
    return n;
  }

  get connected() {
    return !!this.ws && this.ws.readyState === OPEN;
  }

  get state() {
    if (this.fatal) return "readonly";
    if (this.connSynced) return this.readOnly ? "readonly" : "synced";
    if ((this.nav && this.nav.onLine === false) || this.failedAttempts > this.maxAttempts) return "offline";
    if (!this.everSynced && this.failedAttempts === 0) return "connecting";
    return "reconnecting";
  }

  _emitStatus() {
    const state = this.state, unsynced = this.unsynced;
    const key = state + "/" + unsynced;
    if (key === this._lastStatus) return;
    this._lastStatus = key;
    this._emit("status", state, unsynced);
  }

  _canSendUpdates() {
    return this.connected && this._handshaken && !this.readOnly && !this.fatal;
  }

  /** Switch read-only on or off locally (the server decides what it stores). */
  setReadOnly(ro) {
    ro = !!ro;
    if (ro === this.readOnly) return;
    this.readOnly = ro;
    if (!ro && this.connected && this._handshaken && this._offline > 0 && this._serverSV) {
      // Edits held back while read-only: send what the server lacked at connect.
      const weight = this._offline;
      this._offline = 0;
      this._send(encodeSyncStep2(this.doc, this._serverSV));
      this._inflight.push(weight);
    }
    this._emit("readonly", ro);
    this._emitStatus();
  }

  // ------------------------------------------------------------ connection
  connect() {
    if (this._destroyed || this.fatal) return;
    this._stopped = false;
    if (!this.ws) { this._cancelTimer(); this._open(); }
    this._emitStatus();
  }

  /** Close and stay closed until connect(). */
  disconnect() {
    this._stopped = true;
    this._cancelTimer();
    if (this.ws) this.ws.close(1000);
  }

  destroy() {
    if (this._destroyed) return;
    if (this.awareness.getLocalState() !== null) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], "destroy");
    }
    this.disconnect();
    this._destroyed = true;
    this.doc.off("update", this._onDocUpdate);
    this.awareness.off("update", this._onAwarenessUpdate);
    if (this.win && this.win.removeEventListener) {
      this.win.removeEventListener("online", this._onOnline);
      this.win.removeEventListener("offline", this._onOffline);
      this.win.removeEventListener("pagehide", this._onPageHide);
      this.win.removeEventListener("pageshow", this._onPageShow);
    }
    this._handlers.clear();
  }

  _cancelTimer() {
    if (this._timer != null) { this._clearTimeout(this._timer); this._timer = null; }
  }

  _open() {
    let ws;
    try {
      ws = new this.WebSocket(this.url);
    } catch (e) {
      this.failedAttempts++;
      this._backoff++;
      this._scheduleReconnect();
      this._emitStatus();
      return;
    }
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    this.connSynced = false;
    this._handshaken = false;
    this._serverSV = null;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this._openedAt = this._now();
      this._send(encodeSyncStep1(this.doc));
      const me = this.doc.clientID, local = this.awareness.getLocalState();
      if (local !== null) {
        if (this._wasOpen) {
          // Back after a drop.  The server told the others we left, with our clock + 1:
          // come back with clock + 2, or they ignore us until the next renewal.  (The
          // update handler sends both; the second is what counts.)
          this.awareness.setLocalState(local);
          this.awareness.setLocalState(local);
        } else {
          this._sendAwareness([me]);
        }
      }
      this._wasOpen = true;
      this._emitStatus();
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this._onMessage(ev.data);
    };
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this._onClose(ev || {});
    };
  }

  _send(bytes) {
    if (this.connected) this.ws.send(bytes);
  }

  _sendAwareness(clients) {
    if (this.connected && clients.length) this._send(encodeAwareness(this.awareness, clients));
  }

  _onMessage(data) {
    if (typeof data === "string") return; // the doc socket is binary only
    let msg;
    try {
      msg = decodeFrame(data);
    } catch (e) {
      console.error("collab: undecodable frame", e);
      return;
    }
    switch (msg.type) {
      case MSG_SYNC:
        this._onSync(msg);
        break;
      case MSG_AWARENESS:
        awarenessProtocol.applyAwarenessUpdate(this.awareness, msg.payload, this);
        break;
      case MSG_ACK:
        this._inflight.splice(0, msg.n);
        this._emitStatus();
        break;
      case MSG_NOTICE:
        this._onNotice(msg.notice);
        break;
      default:
        break;
    }
  }

  _onSync(msg) {
    if (msg.sync === SYNC_STEP1) {
      this._serverSV = msg.payload;
      this._handshaken = true;
      if (!this.readOnly && !this.fatal) {
        // Our step 2 carries every local edit the server lacks, offline ones included.
        const weight = this._offline;
        this._offline = 0;
        this._send(encodeSyncStep2(this.doc, msg.payload));
        this._inflight.push(weight);
      }
      this._emitStatus();
    } else if (msg.sync === SYNC_STEP2 || msg.sync === SYNC_UPDATE) {
      try {
        Y.applyUpdate(this.doc, msg.payload, this);
      } catch (e) {
        console.error("collab: could not apply an update", e);
      }
      if (msg.sync === SYNC_STEP2 && !this.connSynced) {
        this.connSynced = true;
        this.failedAttempts = 0;
        const first = !this.everSynced;
        this.everSynced = true;
        this._emit("synced", first);
        this._emitStatus();
      }
    }
  }

  _onNotice(notice) {
    const code = notice.code;
    if (REFUSAL_NOTICES.includes(code) && this._inflight.length) {
      // The server refused our oldest frame: its edits stay unsynced until the
      // next connection's step 2 carries them again.
      this._offline += this._inflight.shift();
    }
    if (code === "read_only") this.setReadOnly(true);
    if (code === "role_changed" && typeof notice.role === "string") {
      this.setReadOnly(!EDIT_ROLES.includes(notice.role));
    }
    this._emit("notice", notice);
    this._emitStatus();
  }

  _onClose(ev) {
    const code = ev.code || 0;
    const reason = ev.reason || "";
    const wasSynced = this.connSynced;
    const lasted = this._openedAt == null ? 0 : this._now() - this._openedAt;
    this.ws = null;
    this.connSynced = false;
    this._handshaken = false;
    this._openedAt = null;
    // Frames without an ACK may or may not be stored: count them as offline
    // edits; the next step 2 carries whatever the server lacks.
    for (const w of this._inflight) this._offline += w;
    this._inflight = [];
    this._forgetOthers();

    const fatal = FATAL_CLOSE_CODES.includes(code);
    if (fatal) {
      this.fatal = { code, reason };
      this._cancelTimer();
    } else if (!this._stopped && !this._destroyed) {
      if (!wasSynced) this.failedAttempts++;
      // A connection that syncs and then drops at once (e.g. 4409 on every
      // step 2) must not reconnect in a tight loop.
      this._backoff = wasSynced && lasted >= 10000 ? 0 : this._backoff + 1;
      this._scheduleReconnect();
    }
    this._emit("close", { code, reason, fatal });
    if (fatal) this._emit("readonly", true);
    this._emitStatus();
  }

  /**
   * Others' cursors go while we cannot follow them.  Their clocks are forgotten
   * too (removeAwarenessStates would bump them), so the states the server or
   * they send after the reconnect are taken whatever their clock.
   */
  _forgetOthers() {
    const aw = this.awareness, me = this.doc.clientID;
    const others = Array.from(aw.meta.keys()).filter((id) => id !== me);
    const removed = others.filter((id) => aw.states.has(id));
    for (const id of others) { aw.states.delete(id); aw.meta.delete(id); }
    this._known.clear();
    if (removed.length) {
      const change = { added: [], updated: [], removed };
      aw.emit("change", [change, this]);
      aw.emit("update", [change, this]);
    }
  }

  /** Delay before the next attempt: minDelay·2^(k-1), at most maxDelay, ±25 % jitter. */
  nextDelay() {
    const k = Math.max(0, this._backoff - 1);
    const base = Math.min(this.maxDelay, this.minDelay * Math.pow(2, k));
    const jittered = base * (0.75 + 0.5 * this._random());
    return Math.round(Math.min(this.maxDelay, Math.max(this.minDelay, jittered)));
  }

  _scheduleReconnect() {
    this._cancelTimer();
    if (this._stopped || this._destroyed || this.fatal) return;
    // Offline: the "online" event reconnects at once; keep a slow retry in case it never fires.
    const delay = this.nav && this.nav.onLine === false ? this.maxDelay : this.nextDelay();
    this._timer = this._setTimeout(() => {
      this._timer = null;
      if (!this.ws && !this._stopped && !this._destroyed && !this.fatal) this._open();
      this._emitStatus();
    }, delay);
  }
}
