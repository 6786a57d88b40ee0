// Live co-editing of one episode: the script editor bound to the Y.Text
// "script" of a Y.Doc that the server keeps (docs/collab-protocol.md).
//
//   const s = WritersRoomCollab.start({
//     element, url,                         // ws:// or wss:// URL of /ws/p/<slug>/e/<n>/doc/
//     format: "zh" | "fountain",
//     user: { id, name, color },            // color "#rrggbb" (a colour is derived from id if absent)
//     readOnly: false,                      // a viewer: never sends document updates
//     focusScene: null | n,                 // show only scene n (0-based) of the episode
//     placeholder,                          // as WritersRoomEditor.mount (shown once synced)
//     onStatus(state, unsynced),            // "connecting"|"synced"|"reconnecting"|"offline"|"readonly"
//     onNotice(notice),                     // server NOTICE {code, message, ...}, {code:"focus_lost"},
//                                           // {code:"closed", close_code, message} (no reconnect)
//   });
//   s.editor, s.ydoc, s.ytext, s.provider, s.awareness, s.undoManager, s.focus, s.destroy()
//   s.comments: the comment threads' highlights and anchors (src/comments.js)
//   s.review: AI proposals shown in place for review (src/review.js)
//   s.provenance: each character's origin as Yjs attributes; show(on) colours it (src/provenance.js)
//
// The editor stays read-only until the first sync: the text always comes from
// the server, the client never seeds it.  Undo/redo is a Yjs UndoManager that
// tracks this writer's own edits only.
import * as Y from "yjs";
import { Awareness } from "y-protocols/awareness";
import { yCollab } from "y-codemirror.next";
import { Prec } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { mount, DEFAULT_PLACEHOLDER } from "./editor.js";
import {
  CollabProvider, decodeFrame, encodeSyncStep1, encodeSyncStep2, encodeSyncUpdate, encodeAwareness,
  encodeAck, encodeNotice, MSG_SYNC, MSG_AWARENESS, MSG_ACK, MSG_NOTICE,
} from "./provider.js";
import { sceneFocus } from "./focus.js";
import { focusRange, sceneHeadingOffset, sceneHeadingLines } from "./scenes.js";
import { commentThreads, encodeAnchor, decodeAnchor, resolveAnchor, anchorsFor, placeThread } from "./comments.js";
import { reviewView, locate } from "./review.js";
import { provenanceTracker, runsOf, sharesOf, personAttrs } from "./provenance.js";

/** NOTICE codes a server sends right before closing the socket. */
const CLOSING_NOTICES = ["removed", "unavailable"];
const PALETTE = ["#0b5cad", "#b35900", "#1a7f37", "#8250df", "#cf222e", "#0a7a6d", "#9a6700", "#bf3989"];

/** A "#rrggbb" colour: the given one if valid, else one picked from the user id. */
export function userColor(color, id) {
  if (typeof color === "string" && /^#[0-9a-fA-F]{6}$/.test(color)) return color.toLowerCase();
  if (typeof color === "string" && /^#[0-9a-fA-F]{3}$/.test(color)) {
    return ("#" + color[1] + color[1] + color[2] + color[2] + color[3] + color[3]).toLowerCase();
  }
  let h = 0;
  for (const c of String(id == null ? "" : id)) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

function undoKeymap(undoManager) {
  const guarded = (fn) => (view) => {
    if (!view.state.readOnly) fn();
    return true;
  };
  const undo = guarded(() => undoManager.undo());
  const redo = guarded(() => undoManager.redo());
  return Prec.high(keymap.of([
    { key: "Mod-z", run: undo, preventDefault: true },
    { key: "Mod-y", mac: "Mod-Shift-z", run: redo, preventDefault: true },
    { key: "Mod-Shift-z", run: redo, preventDefault: true },
  ]));
}

export function start(opts = {}) {
  const element = opts.element;
  if (!element) throw new Error("WritersRoomCollab.start: no element");
  if (!opts.url) throw new Error("WritersRoomCollab.start: no url");
  const format = opts.format === "fountain" ? "fountain" : "zh";
  const user = opts.user || {};
  const onStatus = typeof opts.onStatus === "function" ? opts.onStatus : null;
  const onNotice = typeof opts.onNotice === "function" ? opts.onNotice : null;
  const focusScene = opts.focusScene == null || opts.focusScene === "" ? null : Number(opts.focusScene);
  const notify = (notice) => { if (onNotice) onNotice(notice); };

  const ydoc = new Y.Doc();
  const ytext = ydoc.getText("script");
  const awareness = new Awareness(ydoc);
  const color = userColor(user.color, user.id);
  awareness.setLocalStateField("user", {
    id: user.id == null ? null : user.id,
    name: user.name == null ? "" : String(user.name),
    color,
    colorLight: color + "33",
  });
  // Only this writer's edits (the binding adds its own origin) are undoable.
  const undoManager = new Y.UndoManager(ytext, { trackedOrigins: new Set() });
  const focus = sceneFocus({ ytext, onLost: () => notify({ code: "focus_lost" }) });
  // Comment ranges are placed once the text has come from the server.
  let synced = false;
  const comments = commentThreads({ ytext, ready: () => synced });
  // AI proposals shown in place for review, and each character's origin (person, model, edited).
  const review = reviewView();
  const provenance = provenanceTracker({ ytext, undoManager });

  const editor = mount(element, {
    format,
    text: "",
    readOnly: true, // until the first sync
    placeholder: "",
    history: false,
    extraExtensions: [
      yCollab(ytext, awareness, { undoManager }), undoKeymap(undoManager), focus.extension, comments.extension,
      review.extension, provenance.extension,
    ],
  });
  review.attach(editor.view);
  provenance.attach(editor.view);

  const provider = new CollabProvider({
    url: opts.url,
    doc: ydoc,
    awareness,
    readOnly: !!opts.readOnly,
    connect: false,
    WebSocket: opts.WebSocket,
  });
  let lastNotice = null;

  function applyReadOnly() {
    editor.setReadOnly(!provider.everSynced || provider.readOnly || !!provider.fatal);
  }

  provider.on("synced", (first) => {
    if (!first) return;
    synced = true;
    comments.refresh();
    const ph = opts.placeholder === undefined ? DEFAULT_PLACEHOLDER[format] : opts.placeholder;
    if (ph) editor.setPlaceholder(ph);
    applyReadOnly();
    if (focusScene != null && focusScene >= 0) focus.activate(editor.view, focusScene);
    else if (focusScene != null) notify({ code: "focus_lost" });
  });
  provider.on("readonly", applyReadOnly);
  provider.on("status", (state, unsynced) => { if (onStatus) onStatus(state, unsynced); });
  provider.on("notice", (notice) => { lastNotice = notice; notify(notice); });
  provider.on("close", (ev) => {
    // A fatal close may follow a NOTICE on the same connection ("removed" before 4403):
    // its translated message beats the close reason.
    const before = lastNotice && CLOSING_NOTICES.includes(lastNotice.code) ? lastNotice.message : "";
    const message = before || ev.reason || "";
    lastNotice = null;
    if (ev.fatal) notify({ code: "closed", close_code: ev.code, message });
  });
  provider.connect();

  let destroyed = false;
  return {
    editor,
    ydoc,
    ytext,
    provider,
    awareness,
    undoManager,
    focus: {
      /** {from, to} of the scene shown, or null when the whole episode shows. */
      range: () => focus.range(editor.view.state),
      show: (n) => focus.activate(editor.view, n),
      showAll: () => focus.deactivate(editor.view),
    },
    comments: {
      setThreads: comments.setThreads,
      ranges: comments.ranges,
      places: comments.places,
      select: comments.select,
      emphasize: comments.emphasize,
      draft: comments.draft,
      refresh: comments.refresh,
      on: comments.on,
    },
    review,
    provenance,
    status: () => ({ state: provider.state, unsynced: provider.unsynced }),
    destroy() {
      if (destroyed) return;
      destroyed = true;
      provenance.destroy();
      comments.destroy();
      provider.destroy();
      editor.destroy();
      undoManager.destroy();
      awareness.destroy();
      ydoc.destroy();
    },
  };
}

const api = {
  start,
  userColor,
  CollabProvider,
  // For tests and in-page fake servers (demo.html): the bundled Yjs and the frame codec.
  Y,
  protocol: {
    MSG_SYNC, MSG_AWARENESS, MSG_ACK, MSG_NOTICE,
    decodeFrame, encodeSyncStep1, encodeSyncStep2, encodeSyncUpdate, encodeAwareness, encodeAck, encodeNotice,
  },
  scenes: { focusRange, sceneHeadingOffset, sceneHeadingLines },
  comments: { encodeAnchor, decodeAnchor, resolveAnchor, anchorsFor, placeThread },
  review: { locate },
  provenance: { runsOf, sharesOf, personAttrs },
};

if (typeof window !== "undefined") window.WritersRoomCollab = api;
export default api;
