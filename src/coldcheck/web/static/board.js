// The live board: the server says when the ledger moved; the page fetches the board again.
// When the connection drops, say so plainly and mark the board as possibly out of date.
(function () {
  "use strict";
  var board = document.getElementById("board");
  var status = document.getElementById("connection");
  if (!board || !status || !window.EventSource) { return; }
  var production = board.dataset.production;
  var shown = board.dataset.version;

  function mark(state, text) {
    status.dataset.state = state;
    status.textContent = text;
    board.classList.toggle("stale", state !== "live");
  }

  function refresh(version) {
    fetch("/p/" + encodeURIComponent(production) + "/board", { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.text();
      })
      .then(function (html) {
        board.innerHTML = html;
        shown = version;
        mark("live", "Live: updated " + new Date().toLocaleTimeString());
      })
      .catch(function () {
        mark("lost", "Could not load the newest board. What you see may be out of date.");
      });
  }

  var source = new EventSource("/p/" + encodeURIComponent(production) + "/events");
  source.addEventListener("change", function (e) {
    if (e.data !== shown) { refresh(e.data); } else { mark("live", "Live"); }
  });
  source.addEventListener("signed-out", function () {
    source.close();
    mark("lost", "Your session has ended: this board is no longer updated. Sign in again.");
  });
  source.addEventListener("heartbeat", function () {
    if (status.dataset.state !== "live") { mark("live", "Live"); }
  });
  source.onerror = function () {
    mark("lost", "Connection lost: this board may be OUT OF DATE. Reconnecting…");
  };
})();
