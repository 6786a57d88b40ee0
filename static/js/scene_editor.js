// The scene page: mounts the CodeMirror editor and autosaves with a visible state.
// A save carries the revision the text started from; the server refuses a stale
// one (409) and the writer's text stays in the editor, so nothing is lost.
(function () {
  "use strict";
  var host = document.getElementById("editor");
  if (!host || !window.WritersRoomEditor) return;
  var state = document.getElementById("save-state");
  var conflict = document.getElementById("conflict");
  var revision = host.dataset.revision;
  var savedText = JSON.parse(document.getElementById("scene-text").textContent);
  var timer = null, inFlight = false, retryDelay = 1000;

  function show(kind) {
    state.className = "save-state " + kind;
    state.textContent = state.dataset[kind];
    document.body.dataset.saveState = kind;
  }

  function schedule(ms) { clearTimeout(timer); timer = setTimeout(save, ms); }

  var editor = window.WritersRoomEditor.mount(host, {
    format: host.dataset.format,
    text: savedText,
    placeholder: host.dataset.placeholder,
    onChange: function () { show("unsaved"); schedule(800); },
  });
  var help = document.getElementById("keymap-help");
  if (help && window.WritersRoomEditor.keymapHelp) {
    var lang = document.documentElement.lang.indexOf("zh") === 0 ? "zh" : "en";
    help.textContent = window.WritersRoomEditor.keymapHelp(host.dataset.format, lang);
  }

  function showRuntime(seconds) {
    var s = seconds || 0;
    document.getElementById("scene-runtime").textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function onConflict(data) {
    // Someone else saved first: keep this writer's text and let them choose to save on top.
    conflict.hidden = false;
    conflict.textContent = data.error + " ";
    var keep = document.createElement("button");
    keep.type = "button";
    keep.textContent = conflict.dataset.keep || "Keep my text";
    keep.onclick = function () { revision = String(data.revision); conflict.hidden = true; save(); };
    conflict.appendChild(keep);
    show("failed");
  }

  function save() {
    if (inFlight) { schedule(300); return; }
    var text = editor.getText();
    if (text === savedText) { show("saved"); return; }
    inFlight = true;
    show("saving");
    var body = new FormData();
    body.append("text", text);
    body.append("revision", revision);
    fetch(host.dataset.saveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": window.WritersRoom.csrfToken() },
    }).then(function (resp) {
      // Only our own JSON answers are parsed; a login page after an expired session, a 403
      // after a role change or a 404 for a deleted scene arrive as HTML.
      var json = (resp.headers.get("content-type") || "").indexOf("application/json") === 0;
      if (resp.redirected || !json) { return { status: resp.redirected ? 401 : resp.status, data: {} }; }
      return resp.json().then(function (data) { return { status: resp.status, data: data }; });
    }).then(function (r) {
      inFlight = false;
      if (r.status === 200) {
        revision = String(r.data.revision);
        savedText = text;
        retryDelay = 1000;
        conflict.hidden = true;
        document.getElementById("scene-heading").textContent = r.data.heading || "";
        showRuntime(r.data.runtime);
        if (editor.getText() === savedText) { show("saved"); } else { show("unsaved"); schedule(300); }
      } else if (r.status === 409) {
        onConflict(r.data);
      } else if (r.status >= 500) {
        // The server failed: keep the text and try again later, as for a dropped connection.
        retryLater(conflict.dataset.serverError);
      } else {
        // Logged out, no longer allowed, scene deleted, too long: retrying can't help, saying so can.
        show("failed");
        conflict.hidden = false;
        conflict.textContent = r.data.error || conflict.dataset["status" + r.status] || String(r.status);
      }
    }).catch(function () {
      retryLater(conflict.dataset.offline);
    });
  }

  function retryLater(message) {
    // Network gone or server down: keep the text and try again with backoff.
    inFlight = false;
    show("failed");
    conflict.hidden = false;
    conflict.textContent = message || "";
    retryDelay = Math.min(retryDelay * 2, 30000);
    schedule(retryDelay);
  }

  window.addEventListener("beforeunload", function (ev) {
    if (editor.getText() !== savedText) { ev.preventDefault(); ev.returnValue = ""; }
  });
  editor.focus();
})();
