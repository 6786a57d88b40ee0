// The selection in the scene's text goes with each request as offsets plus the selected text, so the
// server can tell if the scene changed under it.
(function () {
  var area = document.getElementById("ai-scene-text");
  if (!area) return;
  function sync() {
    document.querySelectorAll("form.ai-selection").forEach(function (form) {
      var s = area.selectionStart, e = area.selectionEnd;
      form.elements.start.value = s !== e ? s : "";
      form.elements.end.value = s !== e ? e : "";
      form.elements.selected.value = s !== e ? area.value.slice(s, e) : "";
    });
  }
  ["select", "keyup", "mouseup"].forEach(function (ev) { area.addEventListener(ev, sync); });
})();
