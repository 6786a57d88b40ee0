// In-editor review of an AI draft or rewrite: the proposal shows inside the live script as an inline
// diff against the current text (like @codemirror/merge's unified view: removed lines struck through
// in place, proposed lines below them with the changed characters marked by @codemirror/merge's own
// diff), each hunk with Accept and Reject, and the bar above with Accept all / Reject all.
//
// The proposal never enters the shared document until accepted: the diff is decorations only. Hunks,
// their places in the episode's text and every decision come from the server's JSON endpoints
// (scripts_app/views/ai.py: GET .../json/, POST accept {"hunks": [...]}, reject); the server applies
// accepted hunks through its one door, rebasing them or marking the proposal stale (ai/review.py).
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
      let pos = 0;
      for (const c of charDiff(this.hunk.removed || "", added)) {
        if (c.fromB > pos) pre.appendChild(document.createTextNode(added.slice(pos, c.fromB)));
        if (c.toB > c.fromB) {
          const ins = document.createElement("ins");
          ins.className = "cm-ai-changed";
          ins.textContent = added.slice(c.fromB, c.toB);
          pre.appendChild(ins);
        }
        pos = c.toB;
      }
      if (pos < added.length) pre.appendChild(document.createTextNode(added.slice(pos)));
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
        const b = document.createElement("button");
        b.type = "button";
        b.className = accept ? "cm-ai-accept" : "cm-ai-reject";
        b.textContent = text;
        b.addEventListener("mousedown", (e) => e.preventDefault());
        b.addEventListener("click", (e) => { e.preventDefault(); this.onDecide(this.hunk.index, accept); });
        bar.appendChild(b);
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
  for (const hunk of spec.hunks) {
    const place = locate(text, hunk);
    if (!place) { unplaced.push(hunk.index); continue; }
    if (place.to > place.from) {
      ranges.push(Decoration.mark({ class: "cm-ai-removed", attributes: { "data-hunk": String(hunk.index) } })
        .range(place.from, place.to));
    }
    // The proposal goes below the lines it replaces (before the next line).
    const atEnd = place.to === text.length && (place.to === 0 || text[place.to - 1] !== "\n");
    const widget = Decoration.widget({
      widget: new HunkWidget(hunk, spec.labels, spec.onDecide, spec.readOnly),
      block: true,
      side: atEnd ? 1 : -1,
    });
    ranges.push(widget.range(place.to));
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
});

/** The editor half: `extension` goes into the editor; `show(spec)` / `clear()` set what is shown.
 *  spec = {hunks: [{index, at, removed, added}], labels, onDecide(index, accept), readOnly} */
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
        if (d.spec.widget) out.push({ index: d.spec.widget.hunk.index, at: to });
      });
      return out;
    },
  };
}

// ---- Page glue: the episode page's AI panel (templates/scripts_app/ai/_editor_review.html) --------

const TEXT_KINDS = ["draft", "rewrite"];

function initPage() {
  const panel = document.getElementById("ai-review");
  const live = window.WritersRoomLive;
  if (!panel || !live || !live.session || !live.session.review) return;
  const session = live.session;
  const d = panel.dataset;
  const labels = {
    accept: d.lAccept, reject: d.lReject, change: d.lChange, review: d.lReview,
    reviewing: d.lReviewing, unplaced: d.lUnplaced, failed: d.lFailed,
  };
  const canWrite = d.mayWrite === "1";
  const bar = document.getElementById("ai-review-bar");
  // The bar belongs above the script it is about.
  const host = document.getElementById("editor");
  if (bar && host && host.parentNode) host.parentNode.insertBefore(bar, host);
  const barText = bar && bar.querySelector(".ai-review-title");
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
    // Only this episode's drafts and rewrites, while they wait for review, show in its script.
    if (!data || data.status !== "pending" || !TEXT_KINDS.includes(data.kind)
        || String(data.episode) !== d.episode) { close(); return; }
    current = { id: data.id, data };
    const hunks = openHunks(data);
    const unplaced = session.review.show({ hunks, labels, onDecide: decide, readOnly: !canWrite });
    document.body.dataset.aiReview = String(data.id);
    if (bar) {
      bar.hidden = false;
      bar.dataset.suggestion = String(data.id);
      if (barText) {
        let text = (labels.reviewing || "AI proposal #%(id)s: %(n)s changes")
          .replace("%(id)s", String(data.id)).replace("%(n)s", String(hunks.length));
        const stale = (data.hunks || []).filter((h) => !h.decision && h.conflict).length;
        if (unplaced.length || stale) text += " · " + (labels.unplaced || "");
        barText.textContent = text;
      }
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
      const text = TEXT_KINDS.includes(card.dataset.kind || "");
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

  // Ask for a rewrite of the scene at the cursor (or of the selection in it). The panel's inside is
  // loaded after the page (and re-rendered), so its controls are handled by delegation.
  panel.addEventListener("submit", async (ev) => {
    const form = ev.target.closest && ev.target.closest("form.ai-rewrite");
    if (!form) return;
    ev.preventDefault();
    setError("");
    const view = session.editor.view;
    const sel = view.state.selection.main;
    const text = view.state.doc.toString();
    const ids = Array.from(document.querySelectorAll("#scene-list li.scene-card[data-id]:not(.omitted)"))
      .map((li) => li.dataset.id);
    const heads = window.WritersRoomCollab.scenes.sceneHeadingLines(text.split("\n"), d.format);
    const line = view.state.doc.lineAt(sel.head).number - 1;
    let ordinal = 0;
    for (let i = 0; i < heads.length; i++) if (heads[i] <= line) ordinal = i;
    const sceneId = ids[ordinal] || ids[0];
    const notice = panel.querySelector(".ai-notice");
    if (!sceneId) { if (notice) notice.textContent = d.lNoScene || ""; return; }
    const body = { preset: form.elements.preset.value, instruction: form.elements.instruction.value };
    if (!sel.empty) {
      const start = heads.length ? view.state.doc.line(heads[ordinal] + 1).from : 0;
      body.start = sel.from - start;
      body.end = sel.to - start;
      body.selected = view.state.sliceDoc(sel.from, sel.to);
    }
    try {
      const res = await call(d.rewriteUrl.replace("/0/", "/" + sceneId + "/"), body);
      seen[String(res.id)] = seen[String(res.id)] || "queued";
      if (notice) notice.textContent = "";
    } catch (err) {
      if (notice) notice.textContent = err.message;
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
