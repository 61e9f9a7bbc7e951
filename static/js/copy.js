/* Copy buttons beside read-only fields (the calendar feed's address). Without
   JavaScript the button stays hidden and the field is still there to select and copy;
   with it, a click (or focus, for the field itself) selects the whole address. */
(function () {
  "use strict";

  function selectAll(field) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
  }

  function copied(status, ok) {
    if (status) {
      status.textContent = ok ? "Copied. Paste it into your calendar app."
        : "Press Ctrl+C (or ⌘+C) to copy the selected address.";
    }
  }

  document.querySelectorAll("[data-select-all]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var id = button.getAttribute("data-copy");
    var field = document.getElementById(id);
    var status = document.querySelector("[data-copy-status='" + id + "']");
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      selectAll(field);
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { copied(status, true); },
          function () { copied(status, document.execCommand("copy")); }
        );
      } else {
        copied(status, document.execCommand("copy"));
      }
    });
  });
})();
