/* Onboarding: start the time zone at the browser's own, when it is still the default. */
(function () {
  "use strict";
  var field = document.getElementById("id_time_zone");
  if (!field || field.value !== "UTC" || !window.Intl) { return; }
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) { field.value = zone; }
  } catch (error) {
    /* Keep UTC; the member can type their zone. */
  }
})();
