// Posts {type: "room.current", room: {key, name}} to the embedding page on every room change.
(function () {
  function enter(key, name) {
    document.getElementById("current").textContent = name;
    window.parent.postMessage({ type: "room.current", room: { key: key, name: name } }, "*");
  }
  document.querySelectorAll("button[data-room]").forEach(function (b) {
    b.addEventListener("click", function () { enter(b.dataset.room, b.dataset.name); });
  });
  var start = new URLSearchParams(location.search).get("start");
  if (start) {
    var b = document.querySelector('button[data-room="' + start + '"]');
    if (b) enter(b.dataset.room, b.dataset.name);
  }
})();
