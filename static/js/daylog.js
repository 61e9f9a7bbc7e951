/* The day's log on "today" with Tab, Space and Enter alone.

   The server sends each question (did you do it, how the area feels, how it moves) as
   a group of radios: that works without JavaScript, but radios change with the arrow
   keys only. Here each group becomes ONE button that says the question and the current
   answer ("Did you do it? Done"); Space or Enter moves to the next answer, a tap on an
   answer picks it. The radios stay in the form, hidden, and carry the answer: the form
   posts the same fields, and the stylesheet's :has() rules that show the feedback after
   "Done" keep working. A polite live region says each new answer once.

   Links in the error summary go to the button that stands for a group of radios. */
(function () {
  "use strict";

  var NOT_ANSWERED = "Not answered yet";
  var live = null;

  function say(text) {
    /* Emptied first, so the same answer twice in a row is still read. */
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function span(className, text) {
    var element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function labelOf(radio) {
    var label = document.querySelector("label[for='" + radio.id + "']");
    return label ? label.textContent.trim() : radio.value;
  }

  function enhance(fieldset) {
    var radios = Array.prototype.slice.call(fieldset.querySelectorAll("input[type='radio']"));
    if (!radios.length) { return; }
    var question = fieldset.querySelector("legend").textContent.trim();
    var subject = fieldset.getAttribute("data-subject");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "log-cycle";
    button.id = radios[0].id.replace(/_0$/, "") + "_button";
    ["aria-invalid", "aria-describedby"].forEach(function (name) {
      if (radios[0].hasAttribute(name)) { button.setAttribute(name, radios[0].getAttribute(name)); }
    });
    if (subject) { button.appendChild(span("visually-hidden", subject + ": ")); }
    button.appendChild(span("log-cycle-question", question));
    var answer = span("visually-hidden", "");
    button.appendChild(answer);
    var options = span("log-cycle-options", "");
    options.setAttribute("aria-hidden", "true");
    var pills = radios.map(function (radio) {
      var pill = span("log-cycle-option", labelOf(radio));
      options.appendChild(pill);
      return pill;
    });
    button.appendChild(options);

    function current() {
      for (var n = 0; n < radios.length; n += 1) {
        if (radios[n].checked) { return n; }
      }
      return -1;
    }

    function render() {
      var chosen = current();
      answer.textContent = " " + (chosen < 0 ? NOT_ANSWERED : labelOf(radios[chosen]));
      pills.forEach(function (pill, n) { pill.classList.toggle("is-current", n === chosen); });
    }

    function choose(n) {
      radios[n].checked = true;
      radios[n].dispatchEvent(new Event("change", { bubbles: true }));
      render();
      say(labelOf(radios[n]) + ".");
    }

    button.addEventListener("click", function (event) {
      /* A tap or click on an answer picks it; a key press (detail 0) moves to the next. */
      var picked = event.detail > 0 ? pills.indexOf(event.target.closest(".log-cycle-option")) : -1;
      choose(picked >= 0 ? picked : (current() + 1) % radios.length);
    });
    fieldset.parentNode.insertBefore(button, fieldset);
    fieldset.hidden = true;
    /* An answer another script picks (the guided session's finished timer) shows too. */
    fieldset.addEventListener("change", render);
    render();
  }

  /* A summary link to a hidden radio goes to the button that stands for its group. */
  function followSummaryLink(event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target || target.offsetParent !== null || target.type !== "radio") { return; }
    var button = document.getElementById(target.id.replace(/_\d+$/, "") + "_button");
    if (!button) { return; }
    event.preventDefault();
    button.scrollIntoView({ block: "center" });
    button.focus();
  }

  /* Any page that loads this script gets it: the questions are marked by
     routines/_log_field.html ([data-log-choice]) wherever a log form shows them. */
  function init() {
    var groups = document.querySelectorAll("form [data-log-choice]");
    if (!groups.length) { return; }
    live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    groups[0].closest("form").appendChild(live);
    Array.prototype.forEach.call(groups, enhance);
    document.addEventListener("click", followSummaryLink);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
