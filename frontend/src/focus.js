// Focus view: show and edit one scene of the shared episode text.
//
// The scene is anchored by a Y.RelativePosition at the start of its heading
// line, so it is followed while other writers type anywhere in the episode.
// Lines outside [its heading, next heading) are replaced by block widgets,
// cannot be edited (changeFilter) and cannot hold the cursor (atomic ranges
// plus a selection clamp).  Everything is recomputed on every change.  Remote
// changes (transactions from the Yjs binding) are never filtered: the editor
// must always mirror the Y.Text.
//
// The scene is lost (whole episode shown, onLost called once) when someone
// else's change leaves no heading at the anchor, or deletes everything up to
// the next heading (a second relative position marks it).  This writer's own
// edits may take the heading apart while retyping it: the line stays the
// scene's first line until it is a heading again.
//
//   const focus = sceneFocus({ ytext, onLost });
//   extensions: [yCollab(...), focus.extension]   // after yCollab
//   focus.activate(view, n)   // after the first sync; false if there is no scene n
//   focus.range(view.state)   // {from, to} or null
import { StateField, StateEffect, EditorState, EditorSelection, RangeSet } from "@codemirror/state";
import { EditorView, Decoration, WidgetType, ViewPlugin } from "@codemirror/view";
import * as Y from "yjs";
import { ySyncAnnotation } from "y-codemirror.next";
import { formatFacet } from "./format.js";
import { focusRange, sceneHeadingOffset } from "./scenes.js";

class HiddenWidget extends WidgetType {
  constructor(side) {
    super();
    this.side = side;
  }

  eq(other) {
    return other.side === this.side;
  }

  toDOM() {
    const el = document.createElement("div");
    el.className = "cm-wr-hidden cm-wr-hidden-" + this.side;
    el.setAttribute("aria-hidden", "true");
    return el;
  }

  get estimatedHeight() {
    return 10;
  }

  ignoreEvent() {
    return true;
  }
}

const hiddenBefore = Decoration.replace({ block: true, widget: new HiddenWidget("before") });
const hiddenAfter = Decoration.replace({ block: true, widget: new HiddenWidget("after") });
const atom = Decoration.mark({});

const OFF = Object.freeze({
  active: false, lost: false, soft: false, pos: null, next: null, from: 0, to: 0,
  deco: Decoration.none, atomic: RangeSet.empty,
});

/**
 * Field value for the scene whose heading holds `pos` (null: scene 0 of a text
 * without heading, -1: gone).  soft: accept a heading line that is not one any
 * more (this writer is retyping it).
 */
function build(state, pos, soft) {
  const r = pos === -1 ? null : focusRange(state.doc.toString(), state.facet(formatFacet), pos, { soft });
  if (!r) return { ...OFF, lost: true };
  const len = state.doc.length;
  const deco = [], atoms = [];
  if (r.from > 0) {
    deco.push(hiddenBefore.range(0, r.from - 1)); // whole lines up to the "\n" before the heading
    atoms.push(atom.range(0, r.from));
  }
  if (r.to < len) {
    deco.push(hiddenAfter.range(r.to + 1, len)); // from the next heading to the end
    atoms.push(atom.range(r.to, len));
  }
  return {
    active: true, lost: false, soft: r.soft, pos: r.heading, next: r.next, from: r.from, to: r.to,
    deco: Decoration.set(deco), atomic: RangeSet.of(atoms),
  };
}

const clampTo = (f) => (p) => (p < f.from ? f.from : p > f.to ? f.to : p);

export function sceneFocus({ ytext, onLost }) {
  // anchor: start of the scene's heading line; next: start of the next heading (or null)
  const ctx = { anchor: null, next: null };
  const setFocus = StateEffect.define();
  const rel = (index) => Y.createRelativePositionFromTypeIndex(ytext, index);

  /** Relative position -> index in the Y.Text now; null for none, -1 when it cannot be resolved. */
  function resolve(rpos) {
    if (!rpos) return null;
    const abs = Y.createAbsolutePositionFromRelativePosition(rpos, ytext.doc);
    return abs && abs.type === ytext ? abs.index : -1;
  }

  const field = StateField.define({
    create: () => OFF,
    update(value, tr) {
      let set = false;
      for (const e of tr.effects) {
        if (e.is(setFocus)) {
          value = e.value ? build(tr.state, e.value.pos, false) : OFF;
          set = true;
        }
      }
      if (set || !value.active || !tr.docChanged) return value;
      const remote = !!tr.annotation(ySyncAnnotation);
      let pos;
      if (remote && ctx.anchor) {
        // Someone else's change (or an undo): the Y.Text already holds it.
        pos = resolve(ctx.anchor);
        const next = resolve(ctx.next);
        if (pos >= 0 && next != null && next >= 0 && pos >= next) pos = -1; // the whole scene was deleted
      } else {
        // This writer's edit (the binding writes it into the Y.Text afterwards;
        // the plugin below then refreshes the anchors), or no heading yet.
        pos = value.pos == null ? null : tr.changes.mapPos(value.pos, 1);
      }
      // Only this writer's own edits (or a heading already being retyped) may
      // leave the scene without a heading; anybody else's means it is gone.
      return build(tr.state, pos, !remote || value.soft);
    },
    provide: (f) => [
      EditorView.decorations.from(f, (v) => v.deco),
      EditorView.atomicRanges.of((view) => view.state.field(f).atomic),
    ],
  });

  // Local edits outside the scene are refused; a change that only overlaps is cut to the scene.
  const guard = EditorState.changeFilter.of((tr) => {
    if (tr.annotation(ySyncAnnotation)) return true;
    const f = tr.startState.field(field, false);
    if (!f || !f.active) return true;
    let outside = false;
    tr.changes.iterChanges((fromA, toA, fromB, toB, inserted) => {
      if (inserted.length && (fromA < f.from || fromA > f.to)) outside = true;
    });
    if (outside) return false;
    const len = tr.startState.doc.length, ranges = [];
    if (f.from > 0) ranges.push(0, f.from);
    if (f.to < len) ranges.push(f.to, len);
    return ranges.length ? ranges : true;
  });

  // Keep every cursor inside the scene (atomic ranges alone still allow their edges).
  const clamp = EditorState.transactionFilter.of((tr) => {
    if (!tr.docChanged && !tr.selection) return tr;
    const f = tr.state.field(field, false);
    if (!f || !f.active) return tr;
    const c = clampTo(f), sel = tr.state.selection;
    let moved = false;
    const ranges = sel.ranges.map((r) => {
      const a = c(r.anchor), h = c(r.head);
      if (a !== r.anchor || h !== r.head) moved = true;
      return a === h ? EditorSelection.cursor(h) : EditorSelection.range(a, h);
    });
    if (!moved) return tr;
    return [tr, { selection: EditorSelection.create(ranges, sel.mainIndex), sequential: true }];
  });

  // After the binding has written a local change into the Y.Text: re-anchor at
  // the heading line start; report a lost scene once.
  const follower = ViewPlugin.define(() => ({
    update(u) {
      const v = u.state.field(field), old = u.startState.field(field);
      if (v.active && (u.docChanged || v !== old) && ytext.length === u.state.doc.length) {
        if (v.pos != null && resolve(ctx.anchor) !== v.pos) ctx.anchor = rel(v.pos);
        if (v.next == null) ctx.next = null;
        else if (resolve(ctx.next) !== v.next) ctx.next = rel(v.next);
      }
      if (v.lost && !old.lost) {
        ctx.anchor = ctx.next = null;
        if (onLost) setTimeout(onLost, 0);
      }
    },
  }));

  return {
    extension: [field, guard, clamp, follower],
    /** Show only scene n (0-based). Returns false (and calls onLost) if there is no such scene. */
    activate(view, n) {
      const state = view.state;
      const text = state.doc.toString(), format = state.facet(formatFacet);
      const off = sceneHeadingOffset(text, format, n);
      if (off === null) {
        if (onLost) setTimeout(onLost, 0);
        return false;
      }
      const r = focusRange(text, format, off >= 0 ? off : null);
      ctx.anchor = off >= 0 ? rel(off) : null;
      ctx.next = r.next == null ? null : rel(r.next);
      const head = off >= 0 ? state.doc.lineAt(off).to : 0;
      view.dispatch({
        effects: [setFocus.of({ pos: off >= 0 ? off : null }), EditorView.scrollIntoView(head, { y: "start" })],
        selection: EditorSelection.cursor(head),
      });
      return true;
    },
    /** Show the whole episode again. */
    deactivate(view) {
      ctx.anchor = ctx.next = null;
      view.dispatch({ effects: setFocus.of(null) });
    },
    /** {from, to} of the scene shown, or null when the whole episode shows. */
    range(state) {
      const f = state.field(field, false);
      return f && f.active ? { from: f.from, to: f.to } : null;
    },
    /** True once the focused scene has vanished (until the next activate). */
    lost(state) {
      const f = state.field(field, false);
      return !!(f && f.lost);
    },
  };
}
