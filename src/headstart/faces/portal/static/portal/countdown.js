// Keeps each <span class="countdown" data-until="..."> the server wrote ("in 3 days 4 hours")
// current while the page stays open, in the same words. Without this script the server's text
// stays, correct when the page was made.
(function () {
  "use strict";
  function plural(n, unit) { return n + " " + unit + (n === 1 ? "" : "s"); }
  function span(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440), hours = Math.floor(minutes / 60) % 24, mins = minutes % 60;
    if (days) return plural(days, "day") + (hours ? " " + plural(hours, "hour") : "");
    if (hours) return plural(hours, "hour") + (mins ? " " + plural(mins, "minute") : "");
    return mins ? plural(mins, "minute") : "less than a minute";
  }
  function update() {
    var spans = document.querySelectorAll("span.countdown[data-until]");
    for (var i = 0; i < spans.length; i++) {
      var until = new Date(spans[i].getAttribute("data-until"));
      if (isNaN(until.getTime())) continue;
      var seconds = (until.getTime() - Date.now()) / 1000;
      spans[i].textContent = seconds >= 0 ? "in " + span(seconds) : span(seconds) + " ago";
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  window.setInterval(update, 30000);
})();
