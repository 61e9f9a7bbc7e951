/* The main menu on narrow screens: Escape closes it and gives focus back to the menu
   button, so a keyboard user is never left inside a menu they cannot shut. Bootstrap's
   collapse has no Escape key of its own. */
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
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
  });
})();
