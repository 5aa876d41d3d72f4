// Process editor: show each step's own parameters, add steps, reorder them by drag and drop
// (the order numbers follow, so the form also works by typing them).
(function () {
  "use strict";
  var list = document.querySelector("[data-steps]");
  if (!list) return;
  var params = JSON.parse(list.getAttribute("data-step-params") || "{}");
  var total = document.querySelector('input[name="steps-TOTAL_FORMS"]');

  function showParams(card) {
    var select = card.querySelector('select[name$="-kind"]');
    var wanted = params[select ? select.value : ""] || [];
    card.querySelectorAll("[data-param]").forEach(function (el) {
      el.hidden = wanted.indexOf(el.getAttribute("data-param")) < 0;
    });
  }
  function renumber() {
    list.querySelectorAll("[data-step]").forEach(function (card, i) {
      var order = card.querySelector('input[name$="-ORDER"]');
      if (order) order.value = i + 1;
    });
  }
  list.querySelectorAll("[data-step]").forEach(showParams);
  // A step just switched to "send mail" or "create task" starts with the shipped text, if empty.
  function fillDefaults(card) {
    card.querySelectorAll("[data-param]:not([hidden]) [data-default]").forEach(function (field) {
      if (!field.value) field.value = field.getAttribute("data-default");
    });
  }
  // "Start from template": copy a saved mail template's subject and text into the step (asks
  // before replacing text the agent wrote; the step keeps its own copy).
  var templates = {};
  var source = document.getElementById("mail-templates");
  JSON.parse(source ? source.textContent : "[]").forEach(function (t) { templates[t.id] = t; });
  function pickTemplate(select) {
    var t = templates[select.value];
    if (!t) return;
    var card = select.closest("[data-step]");
    var subject = card.querySelector('input[name$="-subject"]');
    var body = card.querySelector('textarea[name$="-body"]');
    var written = [subject, body].some(function (f) {
      return f.value && f.value !== f.getAttribute("data-default");
    });
    if (written && !window.confirm(select.getAttribute("data-confirm"))) {
      select.value = "";
      return;
    }
    subject.value = t.subject;
    body.value = t.body;
  }
  list.addEventListener("change", function (e) {
    if (e.target.matches("[data-template-pick]")) pickTemplate(e.target);
    if (e.target.matches('select[name$="-kind"]')) {
      var card = e.target.closest("[data-step]");
      showParams(card);
      fillDefaults(card);
    }
  });
  document.querySelector("[data-step-add]").addEventListener("click", function () {
    var template = document.querySelector("[data-step-template]");
    var index = parseInt(total.value, 10);
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var card = holder.firstElementChild;
    list.appendChild(card);
    total.value = index + 1;
    renumber();
    showParams(card);
    card.querySelector('select[name$="-kind"]').focus();
  });
  if (window.Sortable) {
    window.Sortable.create(list, { handle: "[data-step-handle]", animation: 150, onEnd: renumber });
  }
})();
