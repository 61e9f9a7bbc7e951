/* Site-wide behaviour for keyboard and screen-reader users; no dependencies beyond
   Bootstrap's bundle, no inline code (the Content-Security-Policy forbids it).

   - The main menu on narrow screens closes with Escape and gives focus back to its
     button: Bootstrap's collapse has no Escape key of its own.
   - A form that comes back with errors puts focus on its error summary when it has
     one ([data-error-summary], "today"), else on its first invalid field (or on the
     form's own error when no field is at fault), so a screen reader announces the
     error once and the keyboard starts there. */
(function () {
  "use strict";

  function closeMenuOnEscape(event) {
    if (event.key !== "Escape" || !window.bootstrap) { return; }
    var menu = document.getElementById("main-nav");
    var button = document.querySelector("[aria-controls='main-nav']");
    if (!menu || !button || button.getAttribute("aria-expanded") !== "true") { return; }
    var collapse = window.bootstrap.Collapse.getOrCreateInstance(menu, { toggle: false });
    if (menu.classList.contains("collapsing")) {
      /* Still opening: Bootstrap ignores hide() until the animation ends. */
      menu.addEventListener("shown.bs.collapse", function () { collapse.hide(); }, { once: true });
    } else {
      collapse.hide();
    }
    button.focus();
  }

  function focusFirstError() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      return;
    }
    var field = document.querySelector("form [aria-invalid='true']");
    if (field) {
      field.focus();
      return;
    }
    var alert = document.querySelector("form [role='alert']");
    if (alert) {
      alert.setAttribute("tabindex", "-1");
      alert.focus();
    }
  }

  document.addEventListener("keydown", closeMenuOnEscape);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusFirstError);
  } else {
    focusFirstError();
  }
})();
