// Small behaviours shared by every page; no inline scripts (Content-Security-Policy).
(function () {
  "use strict";
  // Tabler bundles Bootstrap as window.tabler.bootstrap (there is no window.bootstrap).
  function bs() { return window.bootstrap || (window.tabler && window.tabler.bootstrap); }
  // Language select submits on change.
  document.addEventListener("change", function (e) {
    if (e.target.matches("select[data-autosubmit]")) e.target.form.submit();
  });
  // Buttons with data-confirm ask first.
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);
  // Keyboard: "/" focuses the page's search box, unless typing already.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return;
    var search = document.querySelector("[data-search]") || document.getElementById("global-search");
    if (search) { e.preventDefault(); search.focus(); search.select(); }
  });
  // Keep the active tab in the URL hash, so reloads and links land on it.
  document.addEventListener("shown.bs.tab", function (e) {
    var href = e.target.getAttribute("href");
    if (href && href.charAt(0) === "#") history.replaceState(null, "", href);
  });
  window.addEventListener("DOMContentLoaded", function () {
    if (!location.hash || !bs()) return;
    var link = document.querySelector('[data-bs-toggle="tab"][href="' + location.hash + '"]');
    if (link) bs().Tab.getOrCreateInstance(link).show();
  });
  // Pickers (contacts, property) filled as you type: <select data-picker data-lookup-url="…?">;
  // the lookup answers {"results": [{"id": …, "text": …}]}.
  function initPickers(root) {
    if (!window.TomSelect || !root.querySelectorAll) return;
    root.querySelectorAll("select[data-picker]").forEach(function (el) {
      if (el.tomselect) return;
      var url = el.getAttribute("data-lookup-url");
      new window.TomSelect(el, {
        valueField: "id", labelField: "text", searchField: [], maxOptions: 20,
        plugins: el.multiple ? ["remove_button"] : [],
        shouldLoad: function (q) { return q.length >= 2; },
        load: function (q, done) {
          fetch(url + "&q=" + encodeURIComponent(q), { credentials: "same-origin" })
            .then(function (r) { return r.json(); }).then(function (j) { done(j.results); }).catch(function () { done(); });
        },
        onItemAdd: function () { this.setTextboxValue(""); this.refreshOptions(false); }
      });
    });
  }
  // Dates in German whatever the browser's language: <input data-date> (day) or <input data-date="time">;
  // the field still sends ISO values (2026-11-03, 2026-11-03T09:30), so forms work without JavaScript too.
  function initDates(root) {
    if (!window.flatpickr || !root.querySelectorAll) return;
    root.querySelectorAll("input[data-date]").forEach(function (el) {
      if (el._flatpickr) return;
      var time = el.getAttribute("data-date") === "time";
      window.flatpickr(el, {
        locale: "de", allowInput: true, disableMobile: true, altInput: true, enableTime: time, time_24hr: true,
        dateFormat: time ? "Y-m-d\\TH:i" : "Y-m-d", altFormat: time ? "d.m.Y H:i" : "d.m.Y",
        // The visible (German) box takes over the id, so its <label> and the error text point at it.
        onReady: function (d, s, fp) { if (el.id && fp.altInput) { fp.altInput.id = el.id; el.id = el.id + "-value"; } },
        onChange: function () { el.dispatchEvent(new Event("change", { bubbles: true })); }
      });
    });
  }
  // Keyboard: Ctrl+Enter (Cmd+Enter) sends the form one is typing in, as its primary button would.
  // That button shows the hint, as the header search shows "Strg K" (hidden from screen readers,
  // which read aria-keyshortcuts).
  function primaryButton(form) {
    return form.querySelector('button[type="submit"].btn-primary, button:not([type]).btn-primary');
  }
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey) || e.altKey) return;
    var form = e.target.form || (e.target.closest && e.target.closest("form"));
    var button = form && primaryButton(form);
    if (!button || button.disabled) return;
    e.preventDefault();
    form.requestSubmit(button);
  });
  function markShortcuts(root) {
    if (!root.querySelectorAll || !document.getElementById("global-search")) return;  // the app, not public pages
    var ctrl = (document.documentElement.lang || "de").indexOf("de") === 0 ? "Strg" : "Ctrl";
    root.querySelectorAll("form").forEach(function (form) {
      var b = primaryButton(form);
      var typed = form.querySelector('textarea, select, input:not([type="hidden"]):not([type="checkbox"]):not([type="radio"]):not([type="file"])');
      if (!b || !typed || b.querySelector("kbd") || form.closest("#global-search-form")) return;
      b.setAttribute("aria-keyshortcuts", "Control+Enter");
      var k = document.createElement("kbd");
      k.className = "hint ms-2 d-none d-lg-inline";
      k.setAttribute("aria-hidden", "true");
      k.textContent = ctrl + " \u21b5";
      b.appendChild(k);
    });
  }
  function initAll(root) { initPickers(root); initDates(root); markShortcuts(root); }
  window.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:afterSettle", function (e) { initAll(e.detail.elt || document); });
  // The shared modal: its content comes from htmx; a saved activity closes it (timelines reload
  // themselves on the same event).
  document.addEventListener("activity-saved", function () {
    var modal = document.getElementById("app-modal");
    if (modal && bs()) bs().Modal.getOrCreateInstance(modal).hide();
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    if (!e.detail.elt || !e.detail.elt.closest || !e.detail.elt.closest("#app-modal")) return;
    var text = document.querySelector("#app-modal textarea");
    if (text) text.focus();
  });
  document.addEventListener("hidden.bs.modal", function (e) {
    var content = document.getElementById("app-modal-content");
    if (e.target.id === "app-modal" && content) content.innerHTML = "";
  });
  // The header search: Ctrl+K (Cmd+K) anywhere; results drop down as you type; arrows and Escape.
  var globalBox = function () { return document.getElementById("global-search"); };
  var resultsBox = function () { return document.getElementById("global-search-results"); };
  function closeResults() { var r = resultsBox(); if (r) r.classList.remove("show"); }
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "k" || e.key === "K")) {
      var box = globalBox();
      if (box) { e.preventDefault(); box.focus(); box.select(); }
      return;
    }
    var results = resultsBox();
    if (!results || !results.classList.contains("show")) return;
    var hits = Array.prototype.slice.call(results.querySelectorAll("[data-search-hit]"));
    var i = hits.indexOf(document.activeElement);
    if (e.key === "Escape") { closeResults(); globalBox().focus(); }
    else if (e.key === "ArrowDown" && hits.length) { e.preventDefault(); hits[Math.min(i + 1, hits.length - 1)].focus(); }
    else if (e.key === "ArrowUp" && hits.length) { e.preventDefault(); if (i <= 0) globalBox().focus(); else hits[i - 1].focus(); }
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var results = resultsBox();
    if (results && e.detail.target === results) results.classList.toggle("show", globalBox().value.trim().length > 0);
  });
  document.addEventListener("click", function (e) {
    if (!e.target.closest || !e.target.closest("#global-search-form")) closeResults();
  });
  document.addEventListener("focusin", function (e) {
    var results = resultsBox();
    if (e.target === globalBox() && results && results.children.length && e.target.value.trim()) results.classList.add("show");
  });
})();
