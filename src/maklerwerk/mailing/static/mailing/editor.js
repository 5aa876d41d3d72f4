// Template editor: clicking a field of the catalogue inserts "{{ name }}" where the cursor was.
(function () {
  "use strict";
  var last = null;
  document.addEventListener("focusin", function (e) {
    if (e.target.matches("[data-placeholder-target]")) last = e.target;
  });
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-insert-placeholder]");
    if (!btn) return;
    var field = last || document.querySelector("textarea[data-placeholder-target]");
    if (!field) return;
    var text = "{{ " + btn.getAttribute("data-insert-placeholder") + " }}";
    var start = field.selectionStart == null ? field.value.length : field.selectionStart;
    var end = field.selectionEnd == null ? start : field.selectionEnd;
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    field.focus();
    field.setSelectionRange(start + text.length, start + text.length);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
