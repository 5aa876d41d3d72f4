// The calendar page: FullCalendar (vendored), German, week view; dragging or resizing an
// appointment moves it on the server, which sends the changed invitation.
(function () {
  "use strict";
  var el = document.getElementById("calendar");
  if (!el || !window.FullCalendar) return;
  var mine = document.getElementById("calendar-mine");
  var message = document.getElementById("calendar-message");
  var csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  var editable = el.dataset.editable === "1";

  function move(info) {
    var body = new URLSearchParams();
    body.set("start", info.event.start.toISOString());
    if (info.event.end) body.set("end", info.event.end.toISOString());
    fetch(el.dataset.moveUrl.replace("/0/", "/" + info.event.id + "/"), {
      method: "POST",
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
      credentials: "same-origin",
    })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (res) {
        message.textContent = res.data.message || "";
        message.className = res.ok ? "text-success ms-auto" : "text-danger ms-auto";
        if (!res.ok) info.revert();
      })
      .catch(function () { info.revert(); });
  }

  var calendar = new FullCalendar.Calendar(el, {
    locale: "de",
    timeZone: "local",
    initialView: window.innerWidth < 768 ? "timeGridDay" : "timeGridWeek",
    initialDate: el.dataset.initialDate || undefined,
    headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,timeGridDay,listWeek" },
    nowIndicator: true,
    slotMinTime: "07:00:00",
    slotMaxTime: "21:00:00",
    height: "auto",
    editable: editable,
    eventDurationEditable: editable,
    selectable: editable,
    events: function (info, success, failure) {
      var url = el.dataset.eventsUrl + "?start=" + encodeURIComponent(info.startStr) +
        "&end=" + encodeURIComponent(info.endStr) + (mine && mine.checked ? "&mine=1" : "");
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(success, failure);
    },
    eventDrop: move,
    eventResize: move,
    windowResize: function () {
      var narrow = window.innerWidth < 768;
      var view = calendar.view.type;
      if (narrow && view === "timeGridWeek") calendar.changeView("timeGridDay");
      else if (!narrow && view === "timeGridDay") calendar.changeView("timeGridWeek");
    },
    select: function (info) {
      window.location = el.dataset.createUrl + "?start=" + encodeURIComponent(info.startStr);
    },
  });
  calendar.render();
  if (mine) mine.addEventListener("change", function () { calendar.refetchEvents(); });
  // Keyboard: arrows left/right page, "t" today (not while typing).
  document.addEventListener("keydown", function (e) {
    if (e.target.closest("input, textarea, select, [contenteditable]") || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "ArrowLeft") calendar.prev();
    else if (e.key === "ArrowRight") calendar.next();
    else if (e.key === "t") calendar.today();
  });
})();
