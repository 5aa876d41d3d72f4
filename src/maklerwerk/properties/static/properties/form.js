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

// Photos chosen while creating: their names under the input, so the agent sees what will be uploaded.
(function () {
  "use strict";
  document.querySelectorAll("#property-form input[type=file][name=files]").forEach(function (input) {
    var list = input.closest(".col-12").querySelector("[data-chosen-files]");
    if (!list) return;
    input.addEventListener("change", function () {
      list.textContent = "";
      Array.prototype.forEach.call(input.files, function (file, i) {
        var li = document.createElement("li");
        li.className = "list-inline-item";
        li.textContent = (i === 0 ? "★ " : "") + file.name;
        list.appendChild(li);
      });
    });
  });
})();
