// Document sharing on the agents' pages: copy a link, delete with a second click, access switches,
// contact search. Loaded by the tab partials; runs once per page (no inline scripts: CSP).
(function () {
  "use strict";
  if (window.__maklerwerkSharing) { init(document); return; }
  window.__maklerwerkSharing = true;
  var WINDOW_MS = 4000;

  // Delete: the first click turns the button into "Wirklich löschen?"; a second click within 4 s deletes.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-confirm-twice]");
    if (!btn) return;
    if (btn.getAttribute("data-armed") === "1") return; // second click: let the form submit
    e.preventDefault();
    var label = btn.querySelector("span");
    var before = label ? label.textContent : "";
    btn.setAttribute("data-armed", "1");
    btn.classList.add("btn-danger");
    btn.classList.remove("btn-ghost-danger", "btn-ghost-secondary");
    if (label) { label.textContent = btn.getAttribute("data-confirm-label"); label.classList.remove("visually-hidden"); }
    btn._disarm = setTimeout(function () {
      btn.removeAttribute("data-armed");
      btn.classList.remove("btn-danger");
      btn.classList.add("btn-ghost-danger");
      if (label) label.textContent = before;
    }, WINDOW_MS);
  }, true);

  // Copy a link to the clipboard.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-copy]");
    if (!btn) return;
    var input = document.querySelector(btn.getAttribute("data-copy"));
    if (!input) return;
    function done() {
      var icon = btn.querySelector("i");
      if (icon) { icon.className = "ti ti-check"; setTimeout(function () { icon.className = "ti ti-copy"; }, 1500); }
      btn.setAttribute("title", btn.getAttribute("data-copied-label") || "");
    }
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else { document.execCommand("copy"); done(); }
  });

  // Access switches submit their form at once.
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-submit-on-change]")) e.target.form.submit();
  });

  function init(root) {
    if (!window.TomSelect) return;
    root.querySelectorAll("select[data-contact-lookup]").forEach(function (el) {
      if (el.tomselect) return;
      var url = el.getAttribute("data-contact-lookup");
      new window.TomSelect(el, {
        valueField: "id", labelField: "text", searchField: ["text"],
        placeholder: el.getAttribute("data-placeholder") || "",
        shouldLoad: function (q) { return q.length >= 2; },
        load: function (q, cb) {
          fetch(url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(q), { credentials: "same-origin" })
            .then(function (r) { return r.json(); }).then(function (j) { cb(j.results); }).catch(function () { cb(); });
        }
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(document); });
  else init(document);
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
