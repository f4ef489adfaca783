// Reloads the page every few seconds while an element marked data-reload-seconds is on it
// (a preparation queued or running), so its progress shows without a click.
(function () {
  "use strict";
  var marked = document.querySelector("[data-reload-seconds]");
  if (!marked) { return; }
  var seconds = parseInt(marked.getAttribute("data-reload-seconds"), 10) || 5;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
