// The tour page's statistics: a beacon every 15 s while the page is visible, on every room change
// (reported by the provider's embed through postMessage) and when the visitor leaves. No cookies.
(function () {
  "use strict";
  var root = document.getElementById("tour-page");
  if (!root || !navigator.sendBeacon) return;
  var url = root.dataset.beacon;
  var visit = root.dataset.visit;
  var origin = root.dataset.origin;
  var allowed = (root.dataset.rooms || "").split(" ").filter(Boolean);
  var label = document.getElementById("tour-current-room");
  var PAGE = "_seite";
  var room = PAGE;
  var seq = 0;
  var pending = {};
  var visible = document.visibilityState === "visible";
  var last = Date.now();

  function tick() {
    var now = Date.now();
    if (visible) pending[room] = (pending[room] || 0) + (now - last) / 1000;
    last = now;
  }
  function send() {
    tick();
    var seconds = {};
    Object.keys(pending).forEach(function (k) { seconds[k] = Math.round(pending[k] * 10) / 10; });
    pending = {};
    var body = JSON.stringify({ visit_id: visit, seq: seq++, room: room, seconds: seconds });
    navigator.sendBeacon(url, new Blob([body], { type: "text/plain" }));
  }
  setInterval(function () { if (visible) send(); }, 15000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { send(); visible = false; }
    else { last = Date.now(); visible = true; }
  });
  window.addEventListener("pagehide", send);
  window.addEventListener("message", function (event) {
    if (!origin || event.origin !== origin) return;
    var data = event.data || {};
    if (data.type !== "room.current" || !data.room || !data.room.key) return;
    var key = String(data.room.key);
    var next = allowed.indexOf(key) >= 0 ? key : PAGE;
    if (next === room) return;
    send();
    room = next;
    if (label) label.textContent = next === PAGE ? "–" : String(data.room.name || key);
  });
  send();
})();
