// Comment times (questions/times.py): "3 hours ago" counted again from the reader's clock,
// since a page may come from a cache, and for visitors, whose time zone the server does
// not know (data-browser-zone), the exact time in the tooltip in the browser's own zone.
(function () {
  "use strict";
  if (!window.Intl || !Intl.RelativeTimeFormat) return;
  var units = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600], ["minute", 60]];
  var relative = new Intl.RelativeTimeFormat("en", { numeric: "always" });
  var exact = new Intl.DateTimeFormat("en-GB", {
    day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });
  document.querySelectorAll("time[data-ago]").forEach(function (element) {
    var then = new Date(element.getAttribute("datetime"));
    if (isNaN(then.getTime())) return;
    var seconds = (Date.now() - then.getTime()) / 1000;
    var text = "just now";
    for (var i = 0; i < units.length; i++) {
      if (seconds >= units[i][1]) {
        text = relative.format(-Math.floor(seconds / units[i][1]), units[i][0]);
        break;
      }
    }
    element.textContent = text;
    if (element.hasAttribute("data-browser-zone")) element.title = exact.format(then);
  });
})();
