// Copy buttons: <button data-copy="ID" data-copied="Copied" data-copy-failed="..." hidden>
// copies the text of the element with that id and says so in the next [role=status]. The
// button stays hidden without JavaScript (a download link beside it is the fallback).
(function () {
  "use strict";
  function announce(button, text) {
    var status = button.parentElement && button.parentElement.querySelector("[role=status]");
    if (status) { status.textContent = text; }
  }
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    document.body.removeChild(area);
    return done;
  }
  function setUp(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent;
      var ok = function () { announce(button, button.getAttribute("data-copied") || "Copied"); };
      var failed = function () {
        if (fallbackCopy(text)) { ok(); } else { announce(button, button.getAttribute("data-copy-failed") || ""); }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(ok, failed);
      } else {
        failed();
      }
    });
  }
  function init() { document.querySelectorAll("button[data-copy]").forEach(setUp); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
