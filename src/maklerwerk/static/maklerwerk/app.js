// Small behaviours shared by every page; no inline scripts (Content-Security-Policy).
(function () {
  "use strict";
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
    var search = document.querySelector("[data-search]");
    if (search) { e.preventDefault(); search.focus(); search.select(); }
  });
  // Keep the active tab in the URL hash, so reloads and links land on it.
  document.addEventListener("shown.bs.tab", function (e) {
    var href = e.target.getAttribute("href");
    if (href && href.charAt(0) === "#") history.replaceState(null, "", href);
  });
  window.addEventListener("DOMContentLoaded", function () {
    if (!location.hash || !window.bootstrap) return;
    var link = document.querySelector('[data-bs-toggle="tab"][href="' + location.hash + '"]');
    if (link) window.bootstrap.Tab.getOrCreateInstance(link).show();
  });
})();
