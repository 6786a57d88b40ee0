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
//
// Sets document.body.dataset.collabState (connecting|synced|reconnecting|offline|readonly)
// and document.body.dataset.unsynced (a number) for browser tests; window.WritersRoomLive =
// {session, status()} exposes the live session.
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
  };
})();
