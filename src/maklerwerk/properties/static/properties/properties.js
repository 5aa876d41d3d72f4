// Properties: image order (drag and drop with SortableJS, or arrow buttons), contact picker, match selection.
// No inline scripts (Content-Security-Policy); loaded by the property and contact-tab pages.
(function () {
  "use strict";

  function csrfHeaders() {
    var raw = document.body.getAttribute("hx-headers");
    var headers = raw ? JSON.parse(raw) : {};
    headers["HX-Request"] = "true";
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    return headers;
  }

  function saveOrder(list, focusId) {
    var body = new URLSearchParams();
    list.querySelectorAll("[data-image-id]").forEach(function (li) { body.append("image", li.getAttribute("data-image-id")); });
    list.setAttribute("aria-busy", "true");
    fetch(list.getAttribute("data-order-url"), { method: "POST", body: body, headers: csrfHeaders(), credentials: "same-origin" })
      .then(function (r) { return r.text().then(function (text) { return { ok: r.ok, text: text }; }); })
      .then(function (res) {
        var target = document.getElementById("image-list");
        if (!res.ok) { window.alert(res.text); window.location.reload(); return; }
        target.innerHTML = res.text;
        if (window.htmx) window.htmx.process(target);
        init(target);
        if (focusId) {
          var btn = target.querySelector('[data-image-id="' + focusId + '"] [data-move]:not([disabled])');
          if (btn) btn.focus();
        }
      });
  }

  function init(root) {
    (root || document).querySelectorAll("[data-sortable-images]").forEach(function (list) {
      if (list._sortable || !window.Sortable) return;
      list._sortable = window.Sortable.create(list, {
        animation: 150,
        draggable: "[data-image-id]",
        filter: "input, select, button",
        preventOnFilter: false,
        onEnd: function (evt) { if (evt.oldIndex !== evt.newIndex) saveOrder(list); }
      });
    });
    (root || document).querySelectorAll("select[data-contact-search]").forEach(function (el) {
      if (el.tomselect || !window.TomSelect) return;
      var url = el.getAttribute("data-contact-search");
      new window.TomSelect(el, {
        valueField: "value", labelField: "text", searchField: ["text"], maxOptions: 20, loadThrottle: 250,
        load: function (query, callback) {
          fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
            .then(function (r) { return r.json(); }).then(function (j) { callback(j.items); })
            .catch(function () { callback(); });
        }
      });
    });
  }

  // Keyboard-friendly reordering: the arrow buttons move an image one place.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-move]");
    if (!btn) return;
    var li = btn.closest("[data-image-id]");
    var list = li && li.closest("[data-sortable-images]");
    if (!list) return;
    if (btn.getAttribute("data-move") === "-1" && li.previousElementSibling) list.insertBefore(li, li.previousElementSibling);
    else if (btn.getAttribute("data-move") === "1" && li.nextElementSibling) list.insertBefore(li.nextElementSibling, li);
    else return;
    saveOrder(list, li.getAttribute("data-image-id"));
  });

  // Match lists: select contacts for the offer process; "select all" per table; show how many.
  function updateCount(form) {
    var out = form.querySelector("[data-selected-count]");
    if (!out) return;
    var ids = new Set();
    form.querySelectorAll('input[name="contact_ids"]:checked').forEach(function (c) { ids.add(c.value); });
    out.textContent = ids.size;
  }
  document.addEventListener("change", function (e) {
    var form = e.target.closest("[data-selection]");
    if (!form) return;
    if (e.target.matches("[data-select-all]")) {
      var table = e.target.closest("table");
      table.querySelectorAll('input[name="contact_ids"]').forEach(function (c) { c.checked = e.target.checked; });
    }
    updateCount(form);
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
