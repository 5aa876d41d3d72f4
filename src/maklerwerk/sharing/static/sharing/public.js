// The shared-documents page: live search over files and folders, sort on change. No inline scripts (CSP).
(function () {
  "use strict";
  var form = document.querySelector("[data-shared-page]");
  if (!form) return;
  var search = form.querySelector("[data-search]");
  var zip = document.getElementById("zip-button");
  var count = document.getElementById("shown-count");
  form.addEventListener("change", function (e) {
    if (e.target.matches("select[data-autosubmit]")) form.submit();
  });
  function apply() {
    var q = (search.value || "").trim().toLowerCase();
    var shown = 0;
    document.querySelectorAll("[data-group]").forEach(function (group) {
      var any = false;
      group.querySelectorAll("[data-entry]").forEach(function (row) {
        var hit = !q || row.getAttribute("data-name").indexOf(q) !== -1 || row.getAttribute("data-folder").indexOf(q) !== -1;
        row.hidden = !hit;
        if (hit) { any = true; shown += 1; }
      });
      group.hidden = !any;
    });
    var none = document.getElementById("no-live-results");
    if (none) none.classList.toggle("d-none", shown !== 0 || !document.querySelector("[data-entry]"));
    if (zip && zip.hasAttribute("data-zip-base")) {
      var url = new URL(zip.getAttribute("data-zip-base"), location.href);
      url.searchParams.set("q", search.value.trim());
      zip.setAttribute("href", url.pathname + url.search);
      zip.classList.toggle("disabled", shown === 0);
    }
    if (count) count.setAttribute("data-shown", String(shown));
    // Links to the other view keep the search.
    document.querySelectorAll("a[data-view]").forEach(function (a) {
      var u = new URL(a.getAttribute("href"), location.href);
      u.searchParams.set("q", search.value.trim());
      a.setAttribute("href", u.pathname + u.search);
    });
  }
  if (search) {
    search.addEventListener("input", apply);
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      if (/^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName)) return;
      e.preventDefault(); search.focus(); search.select();
    });
  }
})();
