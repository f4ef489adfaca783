// Every <time datetime="..."> the server wrote in UTC ("2026-12-08 14:00 UTC") is shown in the
// viewer's time zone, with the zone's name ("8 Dec 2026, 15:00 CET"); its title keeps the UTC
// text and names the zone in full. Without this script the UTC text stays, still correct.
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    timeZoneName: "short"
  });
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";

  function localise(root) {
    var times = root.querySelectorAll("time[datetime]:not([data-local])");
    for (var i = 0; i < times.length; i++) {
      var element = times[i];
      var instant = new Date(element.getAttribute("datetime"));
      if (isNaN(instant.getTime())) continue;
      element.title = element.textContent + " (shown in " + zone + ")";
      element.textContent = format.format(instant);
      element.setAttribute("data-local", zone);
    }
  }

  window.headstartLocalTime = localise;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { localise(document); });
  } else {
    localise(document);
  }
})();
