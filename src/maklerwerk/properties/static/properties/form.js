// Property form: the sub-type list shows only the chosen object kind's sub-types (optgroup per kind).
// No inline scripts (Content-Security-Policy).
(function () {
  "use strict";

  function syncSubtypes(select) {
    var kind = document.getElementById(select.getAttribute("data-subtype-of"));
    if (!kind) return;
    var label = kind.options[kind.selectedIndex] ? kind.options[kind.selectedIndex].text : "";
    var current = select.value;
    var keep = null;
    select.querySelectorAll("optgroup").forEach(function (group) {
      var mine = group.label === label;
      group.hidden = !mine;
      group.disabled = !mine;
      if (mine) {
        group.querySelectorAll("option").forEach(function (o) { if (o.value === current) keep = o; });
      }
    });
    // The same code can exist under two kinds (MEHRFAMILIENHAUS): select the visible one.
    if (keep) keep.selected = true; else select.value = "";
  }

  document.querySelectorAll("select[data-subtype-of]").forEach(function (select) {
    var kind = document.getElementById(select.getAttribute("data-subtype-of"));
    syncSubtypes(select);
    if (kind) kind.addEventListener("change", function () { syncSubtypes(select); });
  });
})();
