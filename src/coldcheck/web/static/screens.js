// Task screens: small enhancements only; every form works without this script.
// - "Set every position to" fills an inspection grid in one tap (each select stays editable).
// - A form's buttons are disabled once it is sent, so a gloved double tap records once.
// - When the ledger moves, say so (the page is not replaced under a half-typed PIN).
(function () {
  "use strict";
  document.querySelectorAll("select[data-fill]").forEach(function (fill) {
    var form = fill.closest("form");
    var holder = fill.closest(".screen-fill");
    if (!form || !holder) { return; }
    holder.hidden = false;
    fill.addEventListener("change", function () {
      if (!fill.value) { return; }
      form.querySelectorAll("select[name='" + fill.dataset.fill + "']").forEach(function (s) {
        s.value = fill.value;
      });
    });
  });

  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      var by = e.submitter;
      window.setTimeout(function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        if (by) { by.textContent = by.textContent + " …"; }
      }, 0);
    });
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form button[disabled]").forEach(function (b) { b.disabled = false; });
  });

  var refusal = document.getElementById("refusal");
  if (refusal) { refusal.focus(); }

  var screen = document.querySelector(".screen");
  var stale = document.getElementById("screen-stale");
  if (!screen || !stale || !window.EventSource) { return; }
  var source = new EventSource("/p/" + encodeURIComponent(screen.dataset.production) + "/events");
  source.addEventListener("change", function (e) {
    if (e.data !== screen.dataset.version) {
      var link = stale.querySelector("a");
      if (link) { link.href = window.location.pathname; }
      stale.hidden = false;
    }
  });
  source.addEventListener("signed-out", function () { source.close(); });
})();
