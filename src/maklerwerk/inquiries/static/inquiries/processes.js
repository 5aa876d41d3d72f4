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
  list.addEventListener("change", function (e) {
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
