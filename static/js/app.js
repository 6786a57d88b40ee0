// Page glue: drag-and-drop ordering (SortableJS) and its keyboard twin (Alt+Up/Down).
(function () {
  "use strict";

  function csrfToken() {
    var headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function postOrder(list) {
    var ids = Array.prototype.map.call(list.querySelectorAll(":scope > li[data-id]"), function (li) {
      return li.dataset.id;
    });
    htmx.ajax("POST", list.dataset.orderUrl, {
      target: list.dataset.target, swap: "outerHTML", values: { order: ids },
    });
  }

  function initSortables(root) {
    if (typeof Sortable === "undefined") return;
    root.querySelectorAll("ol.sortable").forEach(function (list) {
      if (list._sortable) return;
      list._sortable = Sortable.create(list, {
        handle: ".handle", animation: 120, draggable: "li[data-id]",
        onEnd: function () { postOrder(list); },
      });
    });
  }

  // Alt+ArrowUp/Down on a focused scene or beat moves it: same endpoint as the ↑/↓ buttons.
  document.addEventListener("keydown", function (ev) {
    if (!ev.altKey || (ev.key !== "ArrowUp" && ev.key !== "ArrowDown")) return;
    var li = ev.target.closest && ev.target.closest("li[data-id]");
    if (!li) return;
    var button = li.querySelectorAll(".move button")[ev.key === "ArrowUp" ? 0 : 1];
    if (!button) return;
    ev.preventDefault();
    var id = li.dataset.id;
    var listId = li.closest("[id]").id;
    document.body.addEventListener("htmx:afterSwap", function refocus() {
      document.body.removeEventListener("htmx:afterSwap", refocus);
      var moved = document.querySelector("#" + listId + " li[data-id='" + id + "'] a, #" + listId + " li[data-id='" + id + "'] button");
      if (moved) moved.focus();
    });
    button.click();
  });

  document.addEventListener("DOMContentLoaded", function () { initSortables(document); });
  document.addEventListener("htmx:afterSettle", function () { initSortables(document); });
  window.WritersRoom = { csrfToken: csrfToken };
})();
