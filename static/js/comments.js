// Progressive enhancement for the Q&A thread: "Reply" moves the comment form under the
// comment instead of reloading the page. Without this file the links still work
// (they reload the page with ?replyto=<id>, which shows the form in place).
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  var form = document.getElementById("comment-form");
  if (!respond || !form) return;
  var home = document.createElement("div");
  respond.parentNode.insertBefore(home, respond);
  var title = document.getElementById("reply-title");
  var cancel = document.getElementById("cancel-reply");
  var cancelBox = cancel ? cancel.parentNode : null;
  var parentInput = form.querySelector("input[name=parent]");
  var kind = form.querySelector(".kind-choice, #div_id_kind");

  function reset() {
    home.parentNode.insertBefore(respond, home.nextSibling);
    parentInput.value = "";
    title.textContent = title.getAttribute("data-default-title");
    if (kind) kind.hidden = false;
    if (cancelBox) cancelBox.hidden = true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-reply-to]");
    if (link) {
      var id = link.getAttribute("data-reply-to");
      var slot = document.querySelector('[data-reply-slot="' + id + '"]');
      if (!slot) return;
      event.preventDefault();
      slot.appendChild(respond);
      parentInput.value = id;
      title.textContent = "Reply to " + link.getAttribute("data-reply-name");
      if (kind) kind.hidden = true;
      if (cancelBox) cancelBox.hidden = false;
      form.querySelector("textarea").focus();
    } else if (event.target === cancel) {
      event.preventDefault();
      reset();
    }
  });
})();
