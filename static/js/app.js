// Page glue: drag-and-drop ordering (SortableJS), its keyboard twin (Alt+Up/Down), and keeping the
// user's place (focus, half-typed text, a drag) when the live connection swaps in fresh HTML.
(function () {
  "use strict";

  function csrfToken() {
    var headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function toArray(list) { return Array.prototype.slice.call(list); }

  function itemIn(region, id) {
    var container = document.querySelector(region);
    return container && container.querySelector("li[data-id='" + CSS.escape(String(id)) + "']");
  }

  function focusables(li) { return toArray(li.querySelectorAll("a[href], button, input, textarea, select")); }

  // POST an ordering change and put the answer (the list, server-rendered) in place of `region`.
  // The region is looked up when the answer arrives, not when the request leaves: the live
  // connection may have replaced it meanwhile, and swapping into the detached old one would fail
  // (and leave the promise hanging). A list is only swapped in if the answer is one.
  function postOrderChange(url, region, values, source) {
    return htmx.ajax("POST", url, {
      source: source, values: values,
      handler: function (elt, info) {
        var xhr = info.xhr;
        if (xhr.status < 200 || xhr.status >= 300) return;
        var current = document.querySelector(region);
        if (current && xhr.responseText.indexOf('id="' + current.id + '"') !== -1) {
          htmx.swap(current, xhr.responseText, { swapStyle: "outerHTML" });
        }
      },
    });
  }

  var dragging = null;  // the list being dragged: fresh HTML for it waits until the drop is saved

  function postOrder(list) {
    var ids = toArray(list.querySelectorAll(":scope > li[data-id]")).map(function (li) { return li.dataset.id; });
    postOrderChange(list.dataset.orderUrl, list.dataset.target, { order: ids }, document.body);
  }

  function initSortables(root) {
    if (typeof Sortable === "undefined" || !root || !root.querySelectorAll) return;
    var lists = toArray(root.querySelectorAll("ol.sortable"));
    if (root.matches && root.matches("ol.sortable")) lists.push(root);
    lists.forEach(function (list) {
      if (list._sortable) return;
      list._sortable = Sortable.create(list, {
        handle: ".handle", animation: 120, draggable: "li[data-id]",
        onStart: function () { dragging = list; },
        onEnd: function () { dragging = null; postOrder(list); },
      });
    });
  }

  // Alt+ArrowUp/Down on a focused scene or beat moves it one step: the ↑/↓ buttons' endpoint.
  //
  // Moves run one after the other, and each one starts from the page as the previous one left it,
  // so pressing twice moves twice. The request is sent from the button's attributes, not by
  // clicking it: after a swap, htmx wires the new buttons only when the swap settles (~20 ms
  // later), and a click in between did nothing, which is how the second of two moves used to be
  // lost. Focus goes to the moved item as soon as the new list is in. The item is followed by its
  // place in the list (where it was, one step up or down), which stays right whether the server
  // keeps an item's id with its content or not.
  var moves = Promise.resolve();
  var queued = 0;
  var cursor = null;  // {region, at, li}: where the item being moved will be once queued moves are done

  function itemsOf(region) {
    var container = document.querySelector(region);
    return container ? toArray(container.querySelectorAll("li[data-id]")) : [];
  }

  function moveItem(li, up) {
    var region = li.querySelectorAll(".move button")[up ? 0 : 1].getAttribute("hx-target");
    var items = itemsOf(region);
    var from = queued > 0 && cursor && cursor.region === region && cursor.li === li ? cursor.at : items.indexOf(li);
    var to = Math.max(0, Math.min(items.length - 1, from + (up ? -1 : 1)));
    var index = Math.max(0, focusables(li).indexOf(document.activeElement));
    cursor = { region: region, at: to, li: li };
    queued += 1;
    moves = moves.then(function () {
      var current = itemsOf(region)[from];
      var button = current && current.querySelectorAll(".move button")[up ? 0 : 1];
      if (!button) return;
      var values = JSON.parse(button.getAttribute("hx-vals") || "{}");
      return postOrderChange(button.getAttribute("hx-post"), region, values, button).then(function () {
        var moved = itemsOf(region)[to];
        if (!moved) return;
        var targets = focusables(moved);
        (targets[index] || targets[0] || moved).focus();
        if (cursor && cursor.region === region) cursor.li = moved;  // the next press comes from here
      });
    }).catch(function () { /* the next move starts from the page as it is */ })
      .then(function () { queued -= 1; });
  }

  document.addEventListener("keydown", function (ev) {
    if (!ev.altKey || (ev.key !== "ArrowUp" && ev.key !== "ArrowDown")) return;
    var li = ev.target.closest && ev.target.closest("li[data-id]");
    if (!li || !li.querySelectorAll(".move button")[ev.key === "ArrowUp" ? 0 : 1]) return;
    ev.preventDefault();
    moveItem(li, ev.key === "ArrowUp");
  });

  // The live connection (htmx-ext-ws) swaps fragments in out of band. Keep what the user was
  // doing there: the focused control (by id, or by its place in a list item), text typed but not
  // sent, and a drag in progress (its list is left alone; the drop saves and brings the list back).
  function changed(field) {
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") return toArray(field.options).some(function (o) { return o.selected !== o.defaultSelected; });
    return field.value !== field.defaultValue;
  }

  var kept = null;

  document.addEventListener("htmx:oobBeforeSwap", function (ev) {
    var target = ev.detail.target, fragment = ev.detail.fragment;
    if (dragging && target.contains(dragging)) { ev.detail.shouldSwap = false; return; }
    toArray(target.querySelectorAll("input[id], textarea[id], select[id]")).forEach(function (field) {
      if (field.type === "hidden" || !changed(field)) return;
      var twin = fragment.querySelector("#" + CSS.escape(field.id));
      if (!twin || twin.tagName !== field.tagName) return;
      if (field.type === "checkbox" || field.type === "radio") twin.checked = field.checked;
      else twin.value = field.value;
    });
    var active = document.activeElement;
    kept = null;
    if (active && active !== document.body && target.contains(active)) {
      var li = active.closest("li[data-id]");
      kept = {
        id: active.id, region: "#" + CSS.escape(target.id), item: li && li.dataset.id,
        index: li ? focusables(li).indexOf(active) : -1,
        // The item itself had focus (a script made it focusable): focus the new item, not a control in it.
        self: active === li, tabIndex: active.getAttribute("tabindex"),
        start: active.selectionStart, end: active.selectionEnd,
      };
    }
  });

  document.addEventListener("htmx:oobAfterSwap", function () {
    if (!kept) return;
    var k = kept, el = null;
    kept = null;
    if (k.id) el = document.getElementById(k.id);
    if (!el && k.item) {
      var li = itemIn(k.region, k.item);
      if (li && k.self) {
        if (k.tabIndex != null && !li.hasAttribute("tabindex")) li.setAttribute("tabindex", k.tabIndex);
        el = li;
      } else if (li) {
        el = focusables(li)[k.index] || focusables(li)[0] || null;
      }
    }
    if (!el || el === document.activeElement) return;
    el.focus({ preventScroll: true });
    if (k.start != null && el.setSelectionRange) {
      try { el.setSelectionRange(k.start, k.end); } catch (e) { /* not a text field */ }
    }
  });

  // The live connection sends fragments for whatever changed in the series; a page that holds no
  // element for one (an AI card the page does not list, a list it does not show) has nothing to swap.
  // htmx would report each as an error in the console (htmx:oobErrorNoTarget): drop them quietly
  // before htmx-ext-ws swaps. Every live connection element has hx-ext="ws,live-fragments"; only its
  // messages (no xhr) are filtered, never an ordinary htmx response.
  function oobTarget(el) {
    var spec = el.getAttribute("hx-swap-oob") || "true";
    var colon = spec.indexOf(":");
    if (colon >= 0) {
      try { return document.querySelector(spec.slice(colon + 1)); } catch (e) { return null; }
    }
    return el.id ? document.getElementById(el.id) : null;
  }

  if (typeof htmx !== "undefined") {
    htmx.defineExtension("live-fragments", {
      transformResponse: function (text, xhr) {
        if (xhr || text.indexOf("<") === -1) return text;
        var holder = document.createElement("template");
        holder.innerHTML = text;
        var dropped = false;
        toArray(holder.content.children).forEach(function (el) {
          if (!oobTarget(el)) { el.remove(); dropped = true; }
        });
        return dropped ? holder.innerHTML : text;
      },
    });
  }

  // The page's live state, for styles and tests: connecting, open, closed (4401/4403/...: for good).
  function liveState(state) { document.body.dataset.live = state; }
  document.addEventListener("htmx:wsConnecting", function () { liveState("connecting"); });
  document.addEventListener("htmx:wsOpen", function () { liveState("open"); });
  document.addEventListener("htmx:wsClose", function (ev) {
    var code = ev.detail.event && ev.detail.event.code;
    liveState(code >= 4000 ? "closed" : "reconnecting");
  });

  // Confirmations and auto-submitting selects without inline handlers, which the Content-Security-
  // Policy forbids: <form data-confirm="Delete?"> asks first, <select data-autosubmit> submits its form.
  // Capturing, so a refusal stops the event before htmx (or anything on the form) sees it.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    // A template not yet rid of its inline onsubmit has asked already (with no CSP the handler runs).
    if (typeof form.onsubmit === "function") return;
    if (!window.confirm(form.dataset.confirm)) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("change", function (ev) {
    var select = ev.target;
    if (!(select instanceof HTMLSelectElement) || !("autosubmit" in select.dataset) || !select.form) return;
    if (select.form.requestSubmit) select.form.requestSubmit(); else select.form.submit();
  });

  document.addEventListener("DOMContentLoaded", function () { initSortables(document); });
  document.addEventListener("htmx:load", function (ev) { initSortables(ev.target); });
  document.addEventListener("htmx:afterSettle", function () { initSortables(document); });
  window.WritersRoom = { csrfToken: csrfToken };
})();
