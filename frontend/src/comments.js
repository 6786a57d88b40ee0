// Comment threads anchored to a range of the episode script.
//
// A thread's range is two Yjs relative positions in the Y.Text "script",
// encoded as base64 (Y.encodeRelativePosition) into the comment form's hidden
// inputs anchor_start / anchor_end, stored by the server as they are, and read
// back from the thread list's data-anchor-start / data-anchor-end.  A relative
// position names a character (an item id in the CRDT), not an offset, so the
// range follows its text whatever anybody types or deletes around it:
//
//   start: the range's first character, assoc 0  (text typed before it, even
//          right at the start, pushes the range along);
//   end:   the range's last character, assoc -1   (the end sits just after it,
//          so text typed right after the range stays outside).
//
// Text typed strictly inside the range grows it.  When every character of the
// range is deleted both ends resolve to the same index: the thread is
// "detached" (its text was removed).  Positions are resolved without following
// undone deletions, so every client computes the same range.
//
//   const c = commentThreads({ ytext, ready: () => synced });
//   extensions: [yCollab(...), c.extension]
//   c.setThreads([{ id, start, end, resolved }])   // anchors as base64 strings
//   c.ranges()          // [{id, from, to}] of the open threads (fresh)
//   c.select(id)        // select and scroll to a thread's range
//   c.emphasize(id)     // stronger highlight for one thread (null: none)
//   c.draft()           // {start, end, quote, from, to} for the selection, or null
//   c.on("draft", fn)   // the selection moved: fn(draft | null)
//   c.on("ranges", fn)  // ranges recomputed: fn([{id, from, to, detached, open}])
//   c.refresh()         // recompute now (e.g. after the first sync)
import * as Y from "yjs";
import { toBase64, fromBase64 } from "lib0/buffer";
import { StateField, StateEffect, EditorSelection } from "@codemirror/state";
import { EditorView, Decoration, ViewPlugin } from "@codemirror/view";

/** As the server: a quote holds at most 500 characters, an anchor 400 base64 characters. */
export const MAX_QUOTE = 500;
export const MAX_ANCHOR = 400;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The name under which a root type is kept in its doc ("script"), or null. */
export function rootName(ytext) {
  if (!ytext || !ytext.doc) return null;
  for (const [name, type] of ytext.doc.share) if (type === ytext) return name;
  return null;
}

/** base64 of the relative position at `index` of the Y.Text (assoc >= 0: the character at index; < 0: the one before). */
export function encodeAnchor(ytext, index, assoc = 0) {
  return toBase64(Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(ytext, index, assoc)));
}

/**
 * A Y.RelativePosition from its base64 form, or null for anything else.  Anchors come from
 * other people's comments: only a position by item or at the end of a root type is taken
 * (never one inside a nested type, which this document does not have).
 */
export function decodeAnchor(text) {
  if (typeof text !== "string" || !text || text.length > MAX_ANCHOR || !BASE64.test(text)) return null;
  try {
    const rpos = Y.decodeRelativePosition(fromBase64(text));
    if (!rpos || rpos.type !== null) return null;
    if (rpos.item === null && typeof rpos.tname !== "string") return null;
    return rpos;
  } catch (e) {
    return null;
  }
}

/** Index in the Y.Text now, or null when the position is not in it (or not in the doc yet). */
export function resolveAnchor(ytext, rpos, name = rootName(ytext)) {
  if (!rpos || !ytext || !ytext.doc) return null;
  // Resolving a name creates that root type: only our own name is looked up.
  if (rpos.item === null && rpos.tname !== name) return null;
  try {
    const abs = Y.createAbsolutePositionFromRelativePosition(rpos, ytext.doc, false);
    return abs && abs.type === ytext ? abs.index : null;
  } catch (e) {
    return null;
  }
}

/** {start, end} anchors of the range [from, to) of the Y.Text (see the top of this file). */
export function anchorsFor(ytext, from, to) {
  return { start: encodeAnchor(ytext, from, 0), end: encodeAnchor(ytext, to, -1) };
}

/**
 * Where a thread is now: {from, to, detached}.  Unanchored threads (no anchors) have
 * from = to = null and are not detached; so are all threads while `ready` is false (the
 * text has not arrived yet).  A thread whose anchors cannot be read or placed, or whose
 * range has no character left, is detached (from/to still say where its text was, if known).
 */
export function placeThread(ytext, thread, { name = rootName(ytext), ready = true, decode = decodeAnchor } = {}) {
  const startKey = thread.start || "", endKey = thread.end || "";
  if (!startKey && !endKey) return { from: null, to: null, detached: false };
  if (!ready) return { from: null, to: null, detached: false };
  const a = resolveAnchor(ytext, decode(startKey), name);
  const b = resolveAnchor(ytext, decode(endKey), name);
  if (a == null || b == null) {
    const at = a == null ? b : a;
    return { from: at, to: at, detached: true };
  }
  // Two different anchors that meet: the characters between them are gone.
  // (Equal anchors mark a point, never created by this editor.)
  if (b <= a) return { from: a, to: a, detached: startKey !== endKey };
  return { from: a, to: b, detached: false };
}

/** What a comment would be anchored to: the main selection, else the cursor's line (null on an empty line). */
export function selectionRange(state) {
  const sel = state.selection.main;
  if (!sel.empty) return { from: sel.from, to: sel.to, quote: state.doc.sliceString(sel.from, sel.to) };
  const line = state.doc.lineAt(sel.head);
  if (!line.length) return null;
  return { from: line.from, to: line.to, quote: line.text };
}

/** Anchors and quote for the editor's selection: {start, end, quote, from, to} or null. */
export function draftFor(ytext, state) {
  if (ytext.length !== state.doc.length) return null; // the Y.Text is behind the editor
  const r = selectionRange(state);
  if (!r) return null;
  return { ...anchorsFor(ytext, r.from, r.to), quote: r.quote.slice(0, MAX_QUOTE), from: r.from, to: r.to };
}

// ------------------------------------------------------------ editor state

/** Replace the threads' ranges: [{id, from, to, open, detached}]. */
export const setCommentRanges = StateEffect.define();
/** The emphasized thread's id (hovered in the list), or null. */
export const setActiveComment = StateEffect.define();

const EMPTY = Object.freeze({ list: Object.freeze([]), active: null, deco: Decoration.none });
const markOf = (id, active) => Decoration.mark({
  class: active ? "cm-wr-comment cm-wr-comment-active" : "cm-wr-comment",
  attributes: { "data-thread": String(id) },
});

function decorate(list, active, length) {
  const marks = [];
  for (const r of list) {
    if (r.from == null || r.to == null || r.detached) continue;
    const on = active != null && String(r.id) === String(active);
    if (!r.open && !on) continue; // resolved threads show only while emphasized
    const from = Math.max(0, Math.min(r.from, length)), to = Math.max(0, Math.min(r.to, length));
    if (to > from) marks.push(markOf(r.id, on).range(from, to));
  }
  return marks.length ? Decoration.set(marks, true) : Decoration.none;
}

/**
 * The highlighted ranges.  A local edit is mapped at once (the start keeps to the
 * character after it, the end to the one before, as the anchors do); the plugin
 * then re-reads every range from its relative positions (setCommentRanges).
 */
export const commentField = StateField.define({
  create: () => EMPTY,
  update(value, tr) {
    let { list, active } = value;
    let changed = false;
    for (const e of tr.effects) {
      if (e.is(setCommentRanges)) { list = e.value; changed = true; }
      if (e.is(setActiveComment) && e.value !== active) { active = e.value; changed = true; }
    }
    if (!changed && tr.docChanged && list.length) {
      list = list.map((r) => {
        if (r.from == null || r.to == null) return r;
        const from = tr.changes.mapPos(r.from, 1);
        const to = Math.max(from, tr.changes.mapPos(r.to, -1));
        return from === r.from && to === r.to ? r : { ...r, from, to };
      });
      changed = true;
    }
    if (!changed) return value;
    return { list, active, deco: decorate(list, active, tr.state.doc.length) };
  },
  provide: (f) => EditorView.decorations.from(f, (v) => v.deco),
});

function sameRanges(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x.id !== y.id || x.from !== y.from || x.to !== y.to || x.detached !== y.detached || x.open !== y.open) return false;
  }
  return true;
}

const sameDraft = (a, b) => a === b || (!!a && !!b && a.start === b.start && a.end === b.end && a.quote === b.quote);

const normId = (id) => (typeof id === "string" && /^\d{1,15}$/.test(id) ? Number(id) : id);

export function commentThreads({ ytext, ready = () => true } = {}) {
  const name = rootName(ytext);
  const cache = new Map(); // anchor text -> RelativePosition | null
  const listeners = { draft: new Set(), ranges: new Set() };
  let threads = []; // [{id, start, end, open}]
  let view = null;
  let pending = null; // {ranges, draft} waiting for the microtask
  let lastRanges = null;
  let lastDraft = null;
  let destroyed = false;

  function decode(text) {
    if (!cache.has(text)) {
      if (cache.size > 2000) cache.clear();
      cache.set(text, decodeAnchor(text));
    }
    return cache.get(text);
  }

  function compute() {
    if (!threads.length) return [];
    const ok = !!ready();
    return threads.map((t) => ({ id: t.id, open: t.open, ...placeThread(ytext, t, { name, ready: ok, decode }) }));
  }

  function emit(event, value) {
    for (const fn of listeners[event]) {
      try { fn(value); } catch (e) { setTimeout(() => { throw e; }, 0); }
    }
  }

  function schedule(what) {
    if (destroyed) return;
    if (!pending) {
      pending = { ranges: false, draft: false };
      Promise.resolve().then(flush);
    }
    if (what.ranges) pending.ranges = true;
    if (what.draft) pending.draft = true;
  }

  // After the binding has written this writer's edit into the Y.Text (or a remote
  // change has come in): re-read the ranges and the selection's anchors.
  function flush() {
    const p = pending;
    pending = null;
    if (!p || destroyed || !view) return;
    if (ytext.length !== view.state.doc.length) return; // mid-update; the next change comes back here
    if (p.ranges) {
      const list = compute();
      if (!sameRanges(list, view.state.field(commentField).list)) {
        view.dispatch({ effects: setCommentRanges.of(list) });
      }
      if (!lastRanges || !sameRanges(list, lastRanges)) {
        lastRanges = list;
        emit("ranges", list);
      }
    }
    if (p.draft && ready()) {
      const d = draftFor(ytext, view.state);
      if (!sameDraft(d, lastDraft)) {
        lastDraft = d;
        emit("draft", d);
      }
    }
  }

  const plugin = ViewPlugin.define((v) => {
    view = v;
    schedule({ ranges: true });
    return {
      update(u) {
        if (u.docChanged) schedule({ ranges: true });
        if (u.selectionSet || (u.focusChanged && u.view.hasFocus)) schedule({ draft: true });
      },
      destroy() {
        if (view === v) view = null;
      },
    };
  });

  return {
    extension: [commentField, plugin],
    /** The episode's threads: [{id, start, end, resolved}] (anchors in base64, "" for none). */
    setThreads(list) {
      threads = (list || []).map((t) => ({
        id: normId(t.id), start: String(t.start || ""), end: String(t.end || ""), open: !t.resolved,
      }));
      schedule({ ranges: true });
    },
    /** [{id, from, to}] of the open threads that are in the text (detached ones have from === to). */
    ranges() {
      return compute().filter((r) => r.open && r.from != null).map((r) => ({ id: r.id, from: r.from, to: r.to }));
    },
    /** Every thread as placed now: [{id, from, to, detached, open}]. */
    places: () => compute(),
    /** Select a thread's range and scroll it into view (only as far as needed: the list the
        reader clicked should stay under the pointer); false if it has no place in the text. */
    select(id) {
      if (!view) return false;
      const r = compute().find((t) => String(t.id) === String(id));
      if (!r || r.from == null) return false;
      const len = view.state.doc.length;
      const from = Math.min(r.from, len), to = Math.min(r.to, len);
      view.dispatch({
        selection: EditorSelection.range(from, to),
        effects: [setActiveComment.of(normId(id)), EditorView.scrollIntoView(EditorSelection.range(from, to), { y: "nearest", yMargin: 60 })],
        userEvent: "select.comment",
      });
      return true;
    },
    emphasize(id) {
      if (!view) return;
      id = id == null ? null : normId(id);
      if (view.state.field(commentField).active !== id) view.dispatch({ effects: setActiveComment.of(id) });
    },
    draft: () => (view && ready() ? draftFor(ytext, view.state) : null),
    refresh() {
      lastRanges = null;
      schedule({ ranges: true, draft: !!(view && view.hasFocus) });
    },
    on(event, fn) {
      listeners[event].add(fn);
      return () => listeners[event].delete(fn);
    },
    destroy() {
      destroyed = true;
      listeners.draft.clear();
      listeners.ranges.clear();
    },
  };
}

export default { encodeAnchor, decodeAnchor, resolveAnchor, anchorsFor, placeThread, selectionRange, draftFor, MAX_QUOTE };
