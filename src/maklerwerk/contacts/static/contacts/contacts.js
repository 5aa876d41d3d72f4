// Contacts pages: formset rows, date pickers, tag input, contact picker, bulk selection, file drop.
(function () {
  "use strict";

  function init(root) {
    // "Another e-mail address / phone number": clone the formset's empty form.
    root.querySelectorAll("[data-formset]").forEach(function (set) {
      var button = set.querySelector("[data-formset-add]");
      if (!button || button.dataset.bound) return;
      button.dataset.bound = "1";
      button.addEventListener("click", function () {
        var prefix = set.getAttribute("data-formset");
        var total = set.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
        var html = set.querySelector("template[data-formset-template]").innerHTML.replace(/__prefix__/g, total.value);
        set.querySelector("[data-formset-rows]").insertAdjacentHTML("beforeend", html);
        total.value = String(parseInt(total.value, 10) + 1);
        var inputs = set.querySelectorAll("[data-formset-row] input");
        inputs[inputs.length - 1].focus();
      });
    });
    if (window.flatpickr) {
      root.querySelectorAll("[data-datepicker]").forEach(function (el) {
        window.flatpickr(el, { locale: "de", dateFormat: "d.m.Y", allowInput: true });
      });
    }
    if (window.TomSelect) {
      root.querySelectorAll("input[data-tags]").forEach(function (el) {
        if (!el.tomselect) new window.TomSelect(el, { create: true, persist: false, delimiter: ",", plugins: ["remove_button"] });
      });
      root.querySelectorAll("select[data-contact-picker]").forEach(function (el) {
        if (el.tomselect) return;
        var url = el.getAttribute("data-lookup-url");
        new window.TomSelect(el, {
          valueField: "id", labelField: "text", searchField: [], shouldLoad: function (q) { return q.length >= 2; },
          load: function (q, done) {
            fetch(url + "&q=" + encodeURIComponent(q), { credentials: "same-origin" })
              .then(function (r) { return r.json(); }).then(function (j) { done(j.results); }).catch(function () { done(); });
          }
        });
      });
    }
  }

  // Select all rows of the list.
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-select-all]")) {
      var table = e.target.closest("table");
      table.querySelectorAll('input[name="ids"]').forEach(function (box) { box.checked = e.target.checked; });
    }
  });

  // "Merge" in the duplicate dialog of a new contact: save first, then open the merge page.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-merge-with]");
    if (btn) document.getElementById("merge-with").value = btn.getAttribute("data-merge-with");
  });

  // Files: drop or choose several files; too large ones are refused before uploading.
  function upload(form, files) {
    var input = form.querySelector("[data-file-input]");
    var error = form.querySelector("[data-drop-error]");
    var max = parseInt(form.getAttribute("data-max-bytes"), 10);
    var tooLarge = Array.prototype.filter.call(files, function (f) { return f.size > max; });
    if (tooLarge.length) {
      error.textContent = tooLarge.map(function (f) { return "„" + f.name + "“ " + form.getAttribute("data-too-large"); }).join(" ");
      input.value = "";
      return;
    }
    if (input.files !== files) {
      var dt = new DataTransfer();
      Array.prototype.forEach.call(files, function (f) { dt.items.add(f); });
      input.files = dt.files;
    }
    form.submit();
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-file-input]") && e.target.files.length) upload(e.target.closest("form"), e.target.files);
  });
  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      var zone = e.target.closest && e.target.closest("[data-drop-target]");
      if (!zone) return;
      e.preventDefault();
      zone.classList.add("border-primary", "bg-primary-lt");
    });
  });
  document.addEventListener("dragleave", function (e) {
    var zone = e.target.closest && e.target.closest("[data-drop-target]");
    if (zone) zone.classList.remove("border-primary", "bg-primary-lt");
  });
  document.addEventListener("drop", function (e) {
    var zone = e.target.closest && e.target.closest("[data-drop-target]");
    if (!zone) return;
    e.preventDefault();
    zone.classList.remove("border-primary", "bg-primary-lt");
    if (e.dataTransfer && e.dataTransfer.files.length) upload(zone.closest("form"), e.dataTransfer.files);
  });
  document.addEventListener("keydown", function (e) {
    var zone = e.target.closest && e.target.closest("[data-drop-target]");
    if (zone && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); zone.querySelector("[data-file-input]").click(); }
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
