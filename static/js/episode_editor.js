// The episode page: the whole episode (or one scene of it) co-edited live over Yjs.
// Markup it expects (the template provides every visible, translated text):
//
//   <div id="editor" data-ws-url="/ws/p/<slug>/e/<n>/doc/" data-format="zh|fountain"
//        data-user-id data-user-name data-user-color="#rrggbb" data-read-only="0|1"
//        data-focus-scene="" (or a 0-based scene ordinal) data-placeholder></div>
//   <span id="collab-status" data-connecting data-synced data-reconnecting data-offline
//         data-readonly data-unsynced="… %(n)s …"></span>
//   <div id="collab-notice" role="alert" hidden data-focus-lost data-closed></div>   (optional fallbacks)
//   <div id="keymap-help"></div>                                                      (optional)
//   .script-fallback (optional): the server-rendered script, hidden after the first sync
//   #comments (optional): the comment threads (templates/scripts_app/partials/comments.html)
//
// Comments: the selection (or the cursor's line) fills the comment form's hidden anchor_start,
// anchor_end and quote, and shows the quote in the form's .comment-quote. Each open thread's
// range (li.thread[data-anchor-start][data-anchor-end]) is highlighted in the editor and follows
// its text; clicking a thread selects its range, hovering (or focusing) it emphasizes it; a
// thread whose text is gone gets the class "detached" (its .detached-note shows). The list is
// re-read whenever #comments is replaced (its own forms, or the live connection's push). Thread
// text is never touched here: it is server-rendered and escaped; only textContent is written.
//
// Sets document.body.dataset.collabState (connecting|synced|reconnecting|offline|readonly)
// and document.body.dataset.unsynced (a number) for browser tests; window.WritersRoomLive =
// {session, status(), comments: {ranges(), draft(), select(id)}} exposes the live session
// (ranges(): [{id, from, to}] of the open threads, from === to when their text was removed).
(function () {
  "use strict";
  var host = document.querySelector("#editor[data-ws-url]");
  if (!host || !window.WritersRoomCollab) return;
  var statusEl = document.getElementById("collab-status");
  var noticeEl = document.getElementById("collab-notice");
  var STATES = ["connecting", "synced", "reconnecting", "offline", "readonly"];
  var current = { state: "connecting", unsynced: 0 };
  var session = null;
  var syncedOnce = false;
  var noticeTimer = null;
  // Notices that pass; the others (removed, closed, read_only, focus_lost...) stay.
  var TRANSIENT = { rate_limited: 1, too_large: 1, role_changed: 1, unavailable: 1 };
  var FALLBACK = {
    focus_lost: "This scene is no longer in the episode; the whole episode is shown.",
    closed: "The connection was closed. Reload the page.",
  };

  function wsUrl(path) {
    if (/^wss?:\/\//i.test(path)) return path;
    if (/^https?:\/\//i.test(path)) return path.replace(/^http/i, "ws");
    var proto = window.location.protocol === "https:" ? "wss:" : "ws:";
    if (path.charAt(0) !== "/") path = "/" + path;
    return proto + "//" + window.location.host + path;
  }

  function camel(code) {
    return String(code || "").replace(/[_-]([a-z])/g, function (m, c) { return c.toUpperCase(); });
  }

  function showStatus(state, unsynced) {
    current = { state: state, unsynced: unsynced };
    document.body.dataset.collabState = state;
    document.body.dataset.unsynced = String(unsynced);
    if (statusEl) {
      var text = statusEl.dataset[state] || state;
      if (unsynced > 0 && statusEl.dataset.unsynced) {
        text += " · " + statusEl.dataset.unsynced.replace("%(n)s", String(unsynced));
      }
      statusEl.textContent = text;
      // The template's own classes stay; the state is a class of its name (as "connecting").
      STATES.forEach(function (s) { statusEl.classList.remove(s); });
      statusEl.classList.add(state);
      statusEl.classList.toggle("has-unsynced", unsynced > 0);
    }
    if (session && session.provider.everSynced && !syncedOnce) {
      syncedOnce = true;
      // The server-rendered copy shown until now (.script-fallback) gives way to the live editor.
      var fallback = document.querySelectorAll(".script-fallback");
      for (var i = 0; i < fallback.length; i++) { fallback[i].hidden = true; fallback[i].style.display = "none"; }
      if (state === "synced") session.editor.focus();
    }
  }

  function showNotice(notice) {
    if (!notice) return;
    if (notice.code === "saved" || notice.code === "save_failed") return; // the save status says it
    document.body.dataset.collabNotice = notice.code || "";
    if (!noticeEl) return;
    var text = notice.message || noticeEl.dataset[camel(notice.code)] || FALLBACK[notice.code] || "";
    if (!text) return;
    clearTimeout(noticeTimer);
    noticeEl.textContent = text;
    noticeEl.dataset.code = notice.code || "";
    noticeEl.hidden = false;
    if (TRANSIENT[notice.code]) {
      noticeTimer = setTimeout(function () { noticeEl.hidden = true; }, 10000);
    }
  }

  var d = host.dataset;
  var focusScene = d.focusScene === undefined || d.focusScene === "" ? null : parseInt(d.focusScene, 10);
  if (focusScene !== null && isNaN(focusScene)) focusScene = null;

  showStatus("connecting", 0);
  session = window.WritersRoomCollab.start({
    element: host,
    url: wsUrl(d.wsUrl),
    format: d.format,
    user: { id: d.userId, name: d.userName, color: d.userColor },
    readOnly: d.readOnly === "1",
    focusScene: focusScene,
    placeholder: d.placeholder,
    onStatus: showStatus,
    onNotice: showNotice,
  });

  var help = document.getElementById("keymap-help");
  if (help && window.WritersRoomEditor && window.WritersRoomEditor.keymapHelp) {
    var lang = document.documentElement.lang.indexOf("zh") === 0 ? "zh" : "en";
    help.textContent = window.WritersRoomEditor.keymapHelp(d.format, lang);
  }

  window.addEventListener("beforeunload", function (ev) {
    if (session && session.provider.unsynced > 0) { ev.preventDefault(); ev.returnValue = ""; }
  });

  window.WritersRoomLive = {
    session: session,
    status: function () { return { state: current.state, unsynced: current.unsynced }; },
    comments: {
      ranges: function () { return session.comments.ranges(); },
      draft: function () { return session.comments.draft(); },
      select: function (id) { return session.comments.select(id); },
    },
  };

  // ------------------------------------------- save, SmartType, find, revision mode, status bar
  // Ctrl/Cmd+S saves at once (the server writes the rows now) and never opens the browser's
  // "Save page" dialog; every in-app link saves first, so leaving right after typing loses
  // nothing (a link is followed after the save, or after it failed: then the browser's own
  // leave warning speaks for the unsynced edits). Scene headings show in the status bar as the
  // PDF prints them (Fountain in capitals).
  (function () {
    if (!window.WritersRoomFeatures) return;
    var saveEl = document.getElementById("save-status");
    var bar = document.getElementById("editor-statusbar");
    var phrasesEl = document.getElementById("editor-phrases");
    var phrases = null;
    if (phrasesEl) {
      var p = phrasesEl.dataset;
      phrases = {
        "Find": p.find, "Replace": p.replace, "next": p.next, "previous": p.previous, "all": p.all,
        "match case": p.matchCase, "regexp": p.regexp, "by word": p.byWord, "replace": p.replaceOne,
        "replace all": p.replaceAll, "close": p.close,
      };
    }
    function fill(template, values) {
      return String(template || "").replace(/%\((\w+)\)s/g, function (m, k) { return values[k] == null ? m : values[k]; });
    }
    function colour(name) {
      return (bar && bar.dataset["color" + name.charAt(0).toUpperCase() + name.slice(1)]) || name;
    }
    var revision = null;
    function showRevision() {
      var el = document.getElementById("status-revision");
      if (!el) return;
      el.textContent = revision && bar ? fill(bar.dataset.revision, { issued: colour(revision.issued), next: colour(revision.color) }) : "";
      el.className = revision ? "revision-note rev-" + revision.color : "";
    }
    var features = window.WritersRoomFeatures.install(session, {
      format: d.format,
      phrases: phrases,
      onSave: function (state) {
        document.body.dataset.saveState = state;
        if (saveEl) saveEl.textContent = saveEl.dataset[state] || "";
      },
      onScene: function (info) {
        if (!bar) return;
        var sceneEl = document.getElementById("status-scene");
        var headEl = document.getElementById("status-heading");
        if (sceneEl) sceneEl.textContent = info.index < 0 ? (info.count ? bar.dataset.noScene : "") : fill(bar.dataset.sceneOf, { i: info.index + 1, n: info.count });
        if (headEl) headEl.textContent = info.heading;
      },
    });
    var fetchedAt = 0;
    function loadData() {
      if (!d.editorDataUrl) return;
      fetchedAt = Date.now();
      fetch(d.editorDataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          features.setData({ characters: data.characters || [], locations: data.locations || [] });
          revision = data.revision || null;
          features.setRevision(revision);
          document.body.dataset.revisionMode = revision ? revision.color : "";
          showRevision();
        })
        .catch(function () { /* SmartType and revision marks stay off; writing goes on */ });
    }
    loadData();
    // Names added to the bible (or a revision issued) meanwhile: read again when the writer comes back.
    window.addEventListener("focus", function () { if (Date.now() - fetchedAt > 30000) loadData(); });

    // "Saved" holds until the next change; then the connection's own status speaks.
    session.provider.on("status", function (state, unsynced) {
      if (unsynced > 0 && document.body.dataset.saveState === "saved") {
        document.body.dataset.saveState = "";
        if (saveEl) saveEl.textContent = "";
      }
    });
    // The status bar stays in view under a long episode.
    if (bar && document.adoptedStyleSheets && window.CSSStyleSheet) {
      try {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(".editor-statusbar{position:sticky;bottom:0;z-index:2;background:Canvas;" +
          "padding:.25rem .5rem;border-top:1px solid rgba(0,0,0,.12)}.editor-statusbar .status-heading{font-weight:600}");
        document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
      } catch (e) { /* an older browser: the bar stays under the editor */ }
    }

    function save() { return features.save(); }
    window.addEventListener("keydown", function (ev) {
      if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && !ev.shiftKey && (ev.key === "s" || ev.key === "S")) {
        ev.preventDefault();
        save();
      }
    }, true);
    var saveBtn = document.getElementById("save-now");
    if (saveBtn) saveBtn.addEventListener("click", function () { save(); });
    var findBtn = document.getElementById("find-open");
    if (findBtn) findBtn.addEventListener("click", function () { features.openFind(); });

    // In-app navigation: save first. Only plain left clicks on same-origin links to another page.
    var leaving = false;
    document.addEventListener("click", function (ev) {
      if (ev.defaultPrevented || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
      var a = ev.target.closest ? ev.target.closest("a[href]") : null;
      if (!a || (a.target && a.target !== "_self") || a.hasAttribute("download")) return;
      // htmx's own links (a fragment swap, not a page change) are left to htmx.
      if (a.matches("[hx-get], [hx-post], [hx-put], [hx-patch], [hx-delete], [data-no-save]")) return;
      var url;
      try { url = new URL(a.href, window.location.href); } catch (e) { return; }
      if (url.origin !== window.location.origin) return;
      if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) return;
      if (session.provider.readOnly || leaving) return;
      ev.preventDefault();
      leaving = true;
      var go = function () {
        window.location.href = url.href;
        // Still here (the writer chose to stay at the browser's leave warning): links work again.
        setTimeout(function () { leaving = false; }, 1000);
      };
      save().then(go, go);
    }, true);

    window.WritersRoomLive.features = features;
    window.WritersRoomLive.save = save;
  })();

  // ------------------------------------------------------------------ comments
  (function (comments) {
    var draft = null;        // {start, end, quote} of the selection, or null
    var places = {};         // thread id -> {from, to, detached}
    var threadsKey = null;   // the threads last given to the editor
    var watched = null;      // the element the observer watches
    var error = "";          // the server's last refusal (HX-Trigger "comment-error")
    var unsent = null;       // the comment being sent, put back if it is refused
    var hovered = null;
    var queued = false;
    var QUOTE_SHOWN = 200;

    function root() { return document.getElementById("comments"); }
    function form() { var r = root(); return r && r.querySelector("form.comment-form"); }
    function threadItems() {
      var r = root();
      return r ? Array.prototype.slice.call(r.querySelectorAll("li.thread[data-id]")) : [];
    }
    function threadOf(node) {
      var li = node && node.closest ? node.closest("li.thread[data-id]") : null;
      return li && root() && root().contains(li) ? li : null;
    }
    function setValue(input, value) { if (input && input.value !== value) input.value = value; }
    function clip(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

    // The comment form follows the selection; the shown quote is plain text.
    function fillForm() {
      var f = form();
      if (!f) return;
      setValue(f.elements.anchor_start, draft ? draft.start : "");
      setValue(f.elements.anchor_end, draft ? draft.end : "");
      setValue(f.elements.quote, draft ? draft.quote : "");
      var q = f.querySelector(".comment-quote");
      if (q) {
        var text = draft ? clip(draft.quote.replace(/\s+/g, " ").trim(), QUOTE_SHOWN) : "";
        if (q.textContent !== text) q.textContent = text;
        q.hidden = !text;
      }
      var e = f.querySelector(".comment-error");
      if (e) {
        if (e.textContent !== error) e.textContent = error;
        e.hidden = !error;
      }
    }

    function markThreads() {
      threadItems().forEach(function (li) {
        var p = places[li.dataset.id];
        var detached = !!(p && p.detached);
        li.classList.toggle("detached", detached);
        li.classList.toggle("anchored", !!(p && p.from != null && !detached));
        li.classList.toggle("emphasized", hovered === li.dataset.id);
        var note = li.querySelector(".detached-note");
        if (note) note.hidden = !detached;
        if (li.dataset.anchorStart && !li.hasAttribute("tabindex")) li.tabIndex = 0;
      });
    }

    function refresh() {
      queued = false;
      var r = root();
      // #comments is replaced as a whole (outerHTML): watch its parent.
      var parent = r ? r.parentNode : null;
      if (parent && parent !== watched) {
        observer.disconnect();
        observer.observe(parent, { childList: true, subtree: true });
        watched = parent;
      }
      var threads = threadItems().map(function (li) {
        return {
          id: li.dataset.id,
          start: li.dataset.anchorStart || "",
          end: li.dataset.anchorEnd || "",
          resolved: li.classList.contains("resolved"),
        };
      });
      var key = JSON.stringify(threads);
      if (key !== threadsKey) {
        threadsKey = key;
        comments.setThreads(threads);
      }
      if (hovered && !threadItems().some(function (li) { return li.dataset.id === hovered; })) emphasize(null);
      fillForm();
      markThreads();
    }

    function queue() {
      if (queued) return;
      queued = true;
      Promise.resolve().then(refresh);
    }

    function emphasize(id) {
      if (id === hovered) return;
      hovered = id;
      comments.emphasize(id);
      markThreads();
    }

    var observer = new MutationObserver(function (records) {
      // Our own writes (the quote's text) come back here too: refresh() changes nothing then.
      for (var i = 0; i < records.length; i++) {
        if (records[i].type === "childList") { queue(); return; }
      }
    });

    comments.on("draft", function (d) { draft = d; fillForm(); });
    comments.on("ranges", function (list) {
      places = {};
      list.forEach(function (p) { places[String(p.id)] = p; });
      markThreads();
    });

    ["htmx:afterSwap", "htmx:oobAfterSwap", "htmx:afterSettle"].forEach(function (name) {
      document.addEventListener(name, queue);
    });

    // A comment refused by the server: say why, and give the text back.
    document.addEventListener("htmx:beforeRequest", function (ev) {
      var elt = ev.detail && ev.detail.elt;
      if (!elt || !elt.matches || !elt.matches("form.comment-form")) return;
      error = "";
      unsent = elt.elements.body ? elt.elements.body.value : null;
    });
    document.addEventListener("comment-error", function (ev) {
      var d = ev.detail || {};
      error = String(d.value != null ? d.value : d.message || "");
      var body = unsent;
      unsent = null;
      setTimeout(function () {
        var f = form();
        if (body && f && f.elements.body && !f.elements.body.value) f.elements.body.value = body;
        fillForm();
      }, 0);
    });
    document.addEventListener("htmx:afterRequest", function (ev) {
      var elt = ev.detail && ev.detail.elt;
      if (elt && elt.matches && elt.matches("form.comment-form") && ev.detail.successful && !error) unsent = null;
    });

    // Clicking a thread (not its forms or links) selects its range in the editor.
    document.addEventListener("click", function (ev) {
      var li = threadOf(ev.target);
      if (!li || ev.target.closest("form, a, button, input, textarea, select, label")) return;
      var sel = window.getSelection && window.getSelection();
      if (sel && !sel.isCollapsed && li.contains(sel.anchorNode)) return; // copying the thread's text
      comments.select(li.dataset.id);
    });
    document.addEventListener("keydown", function (ev) {
      if ((ev.key !== "Enter" && ev.key !== " ") || !ev.target.matches || !ev.target.matches("li.thread[data-id]")) return;
      if (!threadOf(ev.target)) return;
      ev.preventDefault();
      comments.select(ev.target.dataset.id);
    });
    document.addEventListener("mouseover", function (ev) {
      var li = threadOf(ev.target);
      emphasize(li ? li.dataset.id : null);
    });
    document.addEventListener("focusin", function (ev) {
      var li = threadOf(ev.target);
      if (li) emphasize(li.dataset.id);
    });
    document.addEventListener("focusout", function (ev) {
      if (threadOf(ev.target) && !threadOf(ev.relatedTarget)) emphasize(null);
    });

    refresh();
  })(session.comments);
})();
