/* Time zone fields (members.forms.TimeZoneSelect): a search box that narrows the long list
   ("london" finds Europe/London, "new york" America/New_York), and the browser's own zone
   when the member has not chosen one yet. Without JavaScript the plain list still works. */
(function () {
  "use strict";

  function words(text) {
    return text.toLowerCase().replace(/[_/]/g, " ").split(/\s+/).filter(Boolean);
  }

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function enhance(select) {
    var zones = Array.prototype.map.call(select.options, function (option) {
      return { value: option.value, label: option.text, text: words(option.text).join(" ") };
    });
    if (select.hasAttribute("data-browser-zone")) {
      var zone = browserZone();
      if (zones.some(function (z) { return z.value === zone; })) { select.value = zone; }
    }

    var search = document.createElement("input");
    search.type = "search";
    search.id = select.id + "_search";
    search.className = "form-control";
    search.placeholder = "Type a city or region, e.g. London";
    search.autocomplete = "off";
    search.setAttribute("aria-controls", select.id);
    var label = document.createElement("label");
    label.htmlFor = search.id;
    label.className = "form-label small mb-1";
    label.textContent = "Find your time zone";
    var finder = document.createElement("div");
    finder.className = "time-zone-find mb-2";
    finder.appendChild(label);
    finder.appendChild(search);
    var status = document.createElement("p");
    status.className = "form-text time-zone-status mb-0";
    status.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(finder, select);
    select.parentNode.insertBefore(status, select.nextSibling);

    search.addEventListener("input", function () {
      var wanted = words(search.value);
      var chosen = select.value;
      var matches = zones.filter(function (z) {
        return wanted.every(function (word) { return z.text.indexOf(word) !== -1; });
      });
      if (!matches.length) {
        status.textContent = "No time zone matches “" + search.value + "”.";
        return;
      }
      select.replaceChildren.apply(select, matches.map(function (z) {
        return new Option(z.label, z.value);
      }));
      var keep = matches.some(function (z) { return z.value === chosen; });
      select.value = keep ? chosen : matches[0].value;
      status.textContent = wanted.length
        ? matches.length + (matches.length === 1 ? " time zone matches" : " time zones match") +
          ": " + select.options[select.selectedIndex].text + " is chosen."
        : "";
    });
  }

  document.querySelectorAll("select[data-time-zone-picker]").forEach(enhance);
})();
