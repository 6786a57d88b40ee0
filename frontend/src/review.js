// In-editor review of an AI draft or rewrite: the proposal shows inside the live script as an inline
// diff against the current text (laid out as @codemirror/merge's unified view lays out a chunk:
// removed lines struck through in place, proposed lines below them with the changed characters
// marked by @codemirror/merge's own diff), each hunk with Accept and Reject, and the bar above with
// Accept all / Reject all. Three alternatives for a line show the same way: the line struck through,
// the options below it, each with "Use this", which applies it like a hunk.
//
// Why not merge's unifiedMergeView itself: it shows the editor's own document as the proposal, so
// the proposal would have to be in the shared Yjs text before anyone accepted it (docs/ai.md, "Review
// in the script"). Here the proposal never enters the shared document until accepted: it is
// decorations only. Hunks, their places in the episode's text and every decision come from the
// server's JSON endpoints (scripts_app/views/ai.py: GET .../json/, POST accept {"hunks": [...]} or
// {"item": i}, reject); the server applies accepted hunks through its one door, rebasing them or
// marking the proposal stale (ai/review.py).
// Everyone on the episode page hears decisions on the page's live connection (the suggestion cards
// are re-rendered) and refetches.
//
// Model text is only ever written with textContent.
import { StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView, WidgetType } from "@codemirror/view";
import { diff as charDiff } from "@codemirror/merge";

const setReview = StateEffect.define();

/** Where a hunk sits in `text` now: the server's place if its lines are still there, else the
 *  nearest occurrence of the lines it replaces; null if they are gone. */
export function locate(text, hunk) {
  const at = hunk.at;
  if (!at) return null;
  let [from, to] = at;
  const removed = hunk.removed || "";
  if (!removed) return from <= text.length ? { from, to: from } : null;
  const fits = (f) => text.slice(f, f + removed.length) === removed
    || (f + removed.length === text.length + 1 && removed.endsWith("\n") && text.slice(f) === removed.slice(0, -1));
  if (!fits(from)) {
    let best = -1;
    for (let i = text.indexOf(removed); i >= 0; i = text.indexOf(removed, i + 1)) {
      if (best < 0 || Math.abs(i - at[0]) < Math.abs(best - at[0])) best = i;
    }
    if (best < 0) return null;
    from = best;
  }
  to = Math.min(text.length, from + removed.length);
  return { from, to };
}

/** `added` as DOM nodes, the characters that differ from `removed` (by merge's diff) in <ins>. */
function changedText(parent, removed, added) {
  let pos = 0;
  for (const c of charDiff(removed || "", added)) {
    if (c.fromB > pos) parent.appendChild(document.createTextNode(added.slice(pos, c.fromB)));
    if (c.toB > c.fromB) {
      const ins = document.createElement("ins");
      ins.className = "cm-ai-changed";
      ins.textContent = added.slice(c.fromB, c.toB);
      parent.appendChild(ins);
    }
    pos = c.toB;
  }
  if (pos < added.length) parent.appendChild(document.createTextNode(added.slice(pos)));
}

function button(className, text, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = text;
  b.addEventListener("mousedown", (e) => e.preventDefault());
  b.addEventListener("click", (e) => { e.preventDefault(); onClick(); });
  return b;
}

/** Alternatives for a line: each option as the line would read, with "Use this". */
class ChoiceWidget extends WidgetType {
  constructor(choice, labels, onPick, readOnly) {
    super();
    this.choice = choice;
    this.labels = labels;
    this.onPick = onPick;
    this.readOnly = readOnly;
  }

  eq(other) {
    return other.choice.id === this.choice.id && other.readOnly === this.readOnly
      && other.choice.options.join("\u0000") === this.choice.options.join("\u0000");
  }

  toDOM() {
    const box = document.createElement("div");
    box.className = "cm-ai-hunk cm-ai-choice";
    box.dataset.choice = String(this.choice.id);
    this.choice.options.forEach((added, i) => {
      const row = document.createElement("div");
      row.className = "cm-ai-option";
      row.dataset.option = String(i);
      const label = document.createElement("span");
      label.className = "cm-ai-hunk-label";
      label.textContent = (this.labels.option || "Option %(n)s").replace("%(n)s", String(i + 1));
      row.appendChild(label);
      const text = document.createElement("div");
      text.className = "cm-ai-added";
      changedText(text, this.choice.removed, added.replace(/\n$/, ""));
      row.appendChild(text);
      if (!this.readOnly) row.appendChild(button("cm-ai-pick", this.labels.pick || "Use this", () => this.onPick(i)));
      box.appendChild(row);
    });
    return box;
  }

  ignoreEvent() { return true; }
}

class HunkWidget extends WidgetType {
  constructor(hunk, labels, onDecide, readOnly) {
    super();
    this.hunk = hunk;
    this.labels = labels;
    this.onDecide = onDecide;
    this.readOnly = readOnly;
  }

  eq(other) {
    return other.hunk.index === this.hunk.index && other.hunk.added === this.hunk.added
      && other.readOnly === this.readOnly;
  }

  toDOM() {
    const box = document.createElement("div");
    box.className = "cm-ai-hunk";
    box.dataset.hunk = String(this.hunk.index);
    const added = this.hunk.added || "";
    if (added) {
      const pre = document.createElement("div");
      pre.className = "cm-ai-added";
      // Changed characters, by @codemirror/merge's diff of the removed and the proposed lines.
      changedText(pre, this.hunk.removed, added);
      box.appendChild(pre);
    }
    const bar = document.createElement("div");
    bar.className = "cm-ai-hunk-actions";
    const label = document.createElement("span");
    label.className = "cm-ai-hunk-label";
    label.textContent = (this.labels.change || "Change %(n)s").replace("%(n)s", String(this.hunk.index + 1));
    bar.appendChild(label);
    if (!this.readOnly) {
      for (const [accept, text] of [[true, this.labels.accept || "Accept"], [false, this.labels.reject || "Reject"]]) {
        bar.appendChild(button(accept ? "cm-ai-accept" : "cm-ai-reject", text, () => this.onDecide(this.hunk.index, accept)));
      }
    }
    box.appendChild(bar);
    return box;
  }

  ignoreEvent() { return true; }
}

function build(state, spec) {
  if (!spec) return Decoration.none;
  const text = state.doc.toString();
  const ranges = [];
  const unplaced = [];
  // The proposal goes below the lines it replaces (before the next line).
  const place = (item, key, widget) => {
    const at = locate(text, item);
    if (!at) return false;
    if (at.to > at.from) {
      ranges.push(Decoration.mark({ class: "cm-ai-removed", attributes: { [key]: String(item.index) } })
        .range(at.from, at.to));
    }
    const atEnd = at.to === text.length && (at.to === 0 || text[at.to - 1] !== "\n");
    ranges.push(Decoration.widget({ widget, block: true, side: atEnd ? 1 : -1 }).range(at.to));
    return true;
  };
  for (const hunk of spec.hunks || []) {
    if (!place(hunk, "data-hunk", new HunkWidget(hunk, spec.labels, spec.onDecide, spec.readOnly))) unplaced.push(hunk.index);
  }
  const choice = spec.choice;
  if (choice && !place({ ...choice, index: choice.id }, "data-choice", new ChoiceWidget(choice, spec.labels, spec.onPick, spec.readOnly))) {
    unplaced.push("choice");
  }
  spec.unplaced = unplaced;
  return Decoration.set(ranges, true);
}

const reviewField = StateField.define({
  create: () => ({ spec: null, deco: Decoration.none }),
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setReview)) return { spec: e.value, deco: build(tr.state, e.value) };
    return value.spec ? { spec: value.spec, deco: value.deco.map(tr.changes) } : value;
  },
  provide: (f) => EditorView.decorations.from(f, (v) => v.deco),
});

const theme = EditorView.baseTheme({
  ".cm-ai-removed": { backgroundColor: "rgba(207, 34, 46, 0.14)", textDecoration: "line-through", textDecorationColor: "#cf222e" },
  ".cm-ai-hunk": { borderLeft: "3px solid #1a7f37", margin: "2px 0 6px", padding: "2px 6px", backgroundColor: "rgba(26, 127, 55, 0.08)" },
  ".cm-ai-added": { whiteSpace: "pre-wrap", color: "#1a4d2a" },
  ".cm-ai-changed": { backgroundColor: "rgba(26, 127, 55, 0.28)", textDecoration: "none" },
  ".cm-ai-hunk-actions": { display: "flex", gap: "6px", alignItems: "center", fontFamily: "system-ui, sans-serif", fontSize: "12px", marginTop: "2px" },
  ".cm-ai-hunk-label": { color: "#57606a" },
  ".cm-ai-option": { display: "flex", gap: "6px", alignItems: "baseline", fontFamily: "inherit", padding: "1px 0" },
  ".cm-ai-option .cm-ai-hunk-label": { fontFamily: "system-ui, sans-serif", fontSize: "12px", whiteSpace: "nowrap" },
  ".cm-ai-option .cm-ai-added": { flex: "1" },
  ".cm-ai-pick": { fontFamily: "system-ui, sans-serif", fontSize: "12px" },
});

/** The editor half: `extension` goes into the editor; `show(spec)` / `clear()` set what is shown.
 *  spec = {hunks: [{index, at, removed, added}], labels, onDecide(index, accept), readOnly}, or for
 *  alternatives {choice: {id, at, removed, options: [text...]}, labels, onPick(i), readOnly} */
export function reviewView() {
  let view = null;
  return {
    extension: [reviewField, theme, EditorView.updateListener.of((u) => { view = u.view; })],
    attach(v) { view = v; },
    show(spec) {
      if (view) view.dispatch({ effects: setReview.of(spec) });
      return spec.unplaced || [];
    },
    clear() { if (view) view.dispatch({ effects: setReview.of(null) }); },
    shown() {
      if (!view) return [];
      const out = [];
      view.state.field(reviewField).deco.between(0, view.state.doc.length, (from, to, d) => {
        const w = d.spec.widget;
        if (w && w.hunk) out.push({ index: w.hunk.index, at: to });
        else if (w && w.choice) out.push({ choice: w.choice.id, options: w.choice.options.length, at: to });
      });
      return out;
    },
  };
}

// ---- Page glue: the episode page's AI panel (templates/scripts_app/ai/_editor_review.html) --------

const TEXT_KINDS = ["draft", "rewrite"];

/** Whether a card's proposal shows in the script: a draft or rewrite, or alternatives for a line. */
function inScript(kind, target) {
  return TEXT_KINDS.includes(kind) || (kind === "alternatives" && target === "line");
}

function initPage() {
  const panel = document.getElementById("ai-review");
  const live = window.WritersRoomLive;
  if (!panel || !live || !live.session || !live.session.review) return;
  const session = live.session;
  const d = panel.dataset;
  const labels = {
    accept: d.lAccept, reject: d.lReject, change: d.lChange, review: d.lReview,
    reviewing: d.lReviewing, unplaced: d.lUnplaced, failed: d.lFailed,
    pick: d.lPick, option: d.lOption, choosing: d.lChoosing,
  };
  const canWrite = d.mayWrite === "1";
  const bar = document.getElementById("ai-review-bar");
  // The bar belongs above the script it is about.
  const host = document.getElementById("editor");
  if (bar && host && host.parentNode) host.parentNode.insertBefore(bar, host);
  const barText = bar && bar.querySelector(".ai-review-title");
  const acceptAll = bar && bar.querySelector("[data-action=accept-all]");
  const barError = bar && bar.querySelector(".ai-review-error");
  const csrf = (panel.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  let current = null; // {id, data}
  const seen = {}; // suggestion id -> last status seen on its card
  const known = new WeakSet(); // the card elements already looked at
  let fetching = null;

  const jsonUrl = (id) => d.jsonUrl.replace("/0/", "/" + id + "/");

  async function call(url, body) {
    const res = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.error || labels.failed || String(res.status));
    return data;
  }

  function setError(text) {
    if (!barError) return;
    barError.textContent = text || "";
    barError.hidden = !text;
  }

  function openHunks(data) {
    return (data.hunks || []).filter((h) => !h.decision && !h.conflict);
  }

  function render(data) {
    // Only this episode's drafts, rewrites and line alternatives, while they wait for review, show
    // in its script.
    const choice = data && data.kind === "alternatives" ? data.line : null;
    if (!data || data.status !== "pending" || String(data.episode) !== d.episode
        || !(TEXT_KINDS.includes(data.kind) || choice)) { close(); return; }
    current = { id: data.id, data };
    let unplaced;
    let text;
    if (choice) {
      unplaced = session.review.show({
        choice: { id: data.id, at: choice.at, removed: choice.removed, options: choice.options },
        labels, onPick: pick, readOnly: !canWrite,
      });
      text = (labels.choosing || "AI alternatives #%(id)s: pick one").replace("%(id)s", String(data.id));
      if (unplaced.length) text += " · " + (labels.unplaced || "");
    } else {
      const hunks = openHunks(data);
      unplaced = session.review.show({ hunks, labels, onDecide: decide, readOnly: !canWrite });
      text = (labels.reviewing || "AI proposal #%(id)s: %(n)s changes")
        .replace("%(id)s", String(data.id)).replace("%(n)s", String(hunks.length));
      const stale = (data.hunks || []).filter((h) => !h.decision && h.conflict).length;
      if (unplaced.length || stale) text += " · " + (labels.unplaced || "");
    }
    document.body.dataset.aiReview = String(data.id);
    if (bar) {
      bar.hidden = false;
      bar.dataset.suggestion = String(data.id);
      if (barText) barText.textContent = text;
      // One of three alternatives is picked, never all of them.
      if (acceptAll) acceptAll.hidden = !!choice;
    }
  }

  function close() {
    current = null;
    session.review.clear();
    delete document.body.dataset.aiReview;
    if (bar) { bar.hidden = true; delete bar.dataset.suggestion; }
    setError("");
  }

  async function open(id) {
    setError("");
    const mine = (fetching = call(jsonUrl(id)));
    try {
      const data = await mine;
      if (fetching === mine) render(data);
    } catch (err) {
      setError(err.message);
    }
  }

  async function decide(index, accept) {
    if (!current) return;
    const data = current.data;
    setError("");
    try {
      const body = accept ? { hunks: [index], finish: false } : { hunks: [index] };
      render(await call(accept ? data.accept_url : data.reject_url, body));
    } catch (err) {
      setError(err.message);
    }
  }

  async function pick(index) {
    if (!current) return;
    setError("");
    try {
      render(await call(current.data.accept_url, { item: index }));
    } catch (err) {
      setError(err.message);
    }
  }

  async function decideAll(accept) {
    if (!current) return;
    const data = current.data;
    setError("");
    try {
      const next = accept
        ? await call(data.accept_url, { hunks: openHunks(data).map((h) => h.index), finish: true })
        : await call(data.reject_url, {});
      render(next);
    } catch (err) {
      setError(err.message);
    }
  }

  if (bar) {
    bar.addEventListener("click", (ev) => {
      const b = ev.target.closest("button[data-action]");
      if (!b) return;
      if (b.dataset.action === "accept-all") decideAll(true);
      else if (b.dataset.action === "reject-all") decideAll(false);
      else if (b.dataset.action === "close") close();
    });
  }

  // The cards of this episode's proposals (re-rendered live for everyone): a text proposal that has
  // just finished streaming opens in the script; a change to the one under review is refetched.
  function scanCards() {
    document.querySelectorAll("#ai-review article.suggestion[id^='suggestion-']").forEach((card) => {
      const id = card.id.slice("suggestion-".length);
      const status = card.dataset.status;
      const before = seen[id];
      seen[id] = status;
      const text = inScript(card.dataset.kind || "", card.dataset.target || "");
      if (text && status === "pending" && !card.querySelector(".ai-review-open")) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "ai-review-open";
        b.textContent = labels.review || "Review in the script";
        b.addEventListener("click", () => open(id));
        const head = card.querySelector(".suggestion-head") || card;
        head.appendChild(b);
      }
      // A card is replaced as a whole when anything about its proposal changes (a decision too).
      const fresh = !known.has(card);
      known.add(card);
      if (current && String(current.id) === id) {
        if (fresh || before !== status) open(id);
      } else if (!current && text && status === "pending" && (before === "running" || before === "queued")) {
        open(id);
      }
    });
  }

  let queued = false;
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    Promise.resolve().then(() => { queued = false; scanCards(); });
  });
  observer.observe(panel, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-status"] });
  scanCards();

  // Requests from the panel: a rewrite of the scene at the cursor (or of the selection in it), three
  // alternatives for the selected line (or the cursor's line), a redraft of the scene at the cursor.
  // The panel's inside is loaded after the page (and re-rendered), so its controls are handled by
  // delegation.
  const notice = () => panel.querySelector(".ai-notice");

  /** The scene at the cursor: its id, where it starts in the episode's text, and the selection. */
  function cursorScene() {
    const view = session.editor.view;
    const sel = view.state.selection.main;
    const text = view.state.doc.toString();
    const ids = Array.from(document.querySelectorAll("#scene-list li.scene-card[data-id]:not(.omitted)"))
      .map((li) => li.dataset.id);
    const heads = window.WritersRoomCollab.scenes.sceneHeadingLines(text.split("\n"), d.format);
    const line = view.state.doc.lineAt(sel.head).number - 1;
    let ordinal = 0;
    for (let i = 0; i < heads.length; i++) if (heads[i] <= line) ordinal = i;
    const start = heads.length ? view.state.doc.line(heads[ordinal] + 1).from : 0;
    return { view, sel, id: ids[ordinal] || ids[0], start };
  }

  /** The selection's place in its scene ({start, end, selected}); `whole`: the cursor's line if empty. */
  function selectionIn(scene, whole) {
    const { view, sel, start } = scene;
    let from = sel.from;
    let to = sel.to;
    if (sel.empty) {
      if (!whole) return null;
      const line = view.state.doc.lineAt(sel.head);
      if (!line.text.trim()) return null;
      from = line.from;
      to = line.to;
    }
    return { start: from - start, end: to - start, selected: view.state.sliceDoc(from, to) };
  }

  async function ask(url, body) {
    setError("");
    const out = notice();
    try {
      const res = await call(url, body);
      seen[String(res.id)] = seen[String(res.id)] || "queued";
      if (out) out.textContent = "";
    } catch (err) {
      if (out) out.textContent = err.message;
    }
  }

  panel.addEventListener("submit", (ev) => {
    const form = ev.target.closest && ev.target.closest("form.ai-rewrite");
    if (!form) return;
    ev.preventDefault();
    const scene = cursorScene();
    if (!scene.id) { if (notice()) notice().textContent = d.lNoScene || ""; return; }
    const body = { preset: form.elements.preset.value, instruction: form.elements.instruction.value };
    Object.assign(body, selectionIn(scene, false) || {});
    ask(d.rewriteUrl.replace("/0/", "/" + scene.id + "/"), body);
  });

  panel.addEventListener("click", (ev) => {
    const b = ev.target.closest && ev.target.closest("button[data-ai-ask]");
    if (!b) return;
    ev.preventDefault();
    const scene = cursorScene();
    if (!scene.id) { if (notice()) notice().textContent = d.lNoScene || ""; return; }
    if (b.dataset.aiAsk === "alternatives") {
      const selection = selectionIn(scene, true);
      if (!selection) { if (notice()) notice().textContent = d.lNoLine || ""; return; }
      ask(d.alternativesUrl, { scene: scene.id, ...selection });
    } else if (b.dataset.aiAsk === "redraft") {
      ask(d.draftUrl, { scene: scene.id });
    }
  });

  // Provenance: the toggle colours AI and AI-edited text; the shares follow the text live.
  panel.addEventListener("change", (ev) => {
    if (ev.target.id === "provenance-toggle") session.provenance.show(ev.target.checked);
  });
  const updateShares = () => {
    const el = document.getElementById("provenance-shares");
    if (!el) return;
    const s = session.provenance.shares();
    const total = s.human + s.ai + s.ai_edited;
    const pct = (n) => (total ? Math.round((100 * n) / total) : 0);
    for (const key of ["human", "ai", "ai_edited"]) {
      const out = el.querySelector("[data-share='" + key + "']");
      if (out && session.provenance && session.provider.everSynced) out.textContent = pct(s[key]) + "%";
    }
  };
  session.provenance.on(updateShares);
  document.addEventListener("htmx:afterSettle", updateShares);

  // A link from an AI page (?review=<id>) opens that proposal once the script is here.
  const wanted = new URLSearchParams(window.location.search).get("review");
  const whenSynced = (fn) => {
    if (session.provider.everSynced) fn();
    else session.provider.on("synced", (first) => { if (first) fn(); });
  };
  if (wanted && /^[0-9]{1,12}$/.test(wanted)) whenSynced(() => open(wanted));
  // After a reconnect the text may have moved on: place the open proposal again.
  session.provider.on("synced", () => { if (current) open(current.id); });

  window.WritersRoomAiReview = { open, close, current: () => current && current.data, shown: () => session.review.shown() };
}

if (typeof document !== "undefined") {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initPage);
  else setTimeout(initPage, 0);
}
