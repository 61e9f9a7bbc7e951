/* The guided session (routines/session.html): one screen at a time with Back and
   Next, the screen kept on while a technique is under way (Screen Wake Lock API,
   where the browser has it), the page kept for offline use by the service worker,
   and the day's log queued on the phone until the server has it.

   The queue is static/js/log-queue.js. Each log gets a fresh key when Save is
   pressed; every send of it carries that key, and the server saves a key once, so
   sending again after a lost answer, or from two tabs at once, never logs twice. */
(function () {
  "use strict";

  var root = document.querySelector("[data-session]");
  if (!root) { return; }

  var RETRY_MS = 20000;
  var FEEDBACK_REQUIRED = "Say how the area responded: sensitivity and movement.";
  var NOTHING_TICKED = "Nothing to save: tick at least one item as done or skipped, or give the stretch minutes.";
  var QUEUED = "Saved on this phone. It will be sent as soon as you are back online.";
  var WAITING = {
    "offline": QUEUED,
    "signed-out": "Your log is kept on this phone: sign in again and it will be sent.",
    "other-member": "Your log is kept on this phone until you sign in again.",
    "server": "The server did not take your log just now; it is kept on this phone and sent again soon."
  };
  var NO_STORAGE = "This browser cannot keep your log: try again when you are online.";
  var SYNC_TAG = "smr-log";

  var member = root.getAttribute("data-member");
  var steps = Array.prototype.slice.call(root.querySelectorAll("[data-step]"));
  var status = root.querySelector("[data-part=status]");
  var form = root.querySelector("[data-log-form]");
  var errorBox = root.querySelector("[data-part=errors]");
  var saved = root.querySelector("[data-part=saved]");
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var current = 0;
  var lock = null;
  var awake = false;
  var retry = null;

  /* --- One screen at a time ---------------------------------------------------- */

  function show(index, moveFocus) {
    current = Math.max(0, Math.min(index, steps.length - 1));
    steps.forEach(function (step, n) { step.hidden = n !== current; });
    var onItem = current > 0 && current < steps.length - 1;
    if (onItem) { keepAwake(); } else if (current === steps.length - 1) { letSleep(); }
    if (moveFocus) {
      window.scrollTo({ top: 0, behavior: reduceMotion ? "auto" : "smooth" });
      var heading = steps[current].querySelector("h2");
      if (heading) { heading.focus({ preventScroll: true }); }
    }
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-go]");
    if (!button) { return; }
    show(current + (button.getAttribute("data-go") === "next" ? 1 : -1), true);
  });

  /* A finished timer ticks the item off as done in the log; the member can change it. */
  root.addEventListener("holdtimer", function (event) {
    var step = event.target.closest("[data-step]");
    var slug = step && step.getAttribute("data-slug");
    if (event.detail.state === "start") { keepAwake(); }
    if (event.detail.state !== "done" || !slug || !form) { return; }
    var item = form.querySelector("[data-log-item='" + slug + "']");
    var done = item && item.querySelector("input[type=radio][value=done]");
    if (done && !item.querySelector("input[type=radio][name$='-status']:checked[value=skipped]")) {
      done.checked = true;
      done.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  /* --- Keeping the screen on ---------------------------------------------------- */

  function note(text) {
    status.textContent = text;
    status.hidden = !text;
  }

  function keepAwake() {
    awake = true;
    if (lock) { return; }
    if (!("wakeLock" in navigator)) {
      note("This browser cannot keep the screen on: set a longer screen timeout for the session.");
      return;
    }
    navigator.wakeLock.request("screen").then(function (sentinel) {
      lock = sentinel;
      note("The screen stays on during the session.");
      sentinel.addEventListener("release", function () { lock = null; });
    }).catch(function () {
      note("The screen may dim during the session: tap it now and then, or set a longer timeout.");
    });
  }

  function letSleep() {
    awake = false;
    if (lock) { lock.release(); lock = null; }
    note("");
  }

  /* The browser drops the lock when the page is hidden; take it again on return. */
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && awake) { keepAwake(); }
  });

  /* --- The day's log: queued on the phone, sent by whoever gets there first ------- */

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function tell(lines, waiting) {
    saved.textContent = "";
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      saved.appendChild(p);
    });
    saved.classList.toggle("is-waiting", Boolean(waiting));
  }

  function showErrors(lines) {
    errorBox.textContent = "";
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.className = "mb-0";
      p.textContent = line;
      errorBox.appendChild(p);
    });
    errorBox.hidden = !lines.length;
    if (lines.length) {
      errorBox.setAttribute("tabindex", "-1");
      errorBox.focus();
    }
  }

  /* What the last send of this member's logs came to, from the page or the worker. */
  function report(results) {
    var mine = results.filter(function (result) { return result.entry.member === member; });
    var last = mine[mine.length - 1];
    if (!last) { return; }
    if (last.keep) {
      tell([WAITING[last.why] || QUEUED], true);
      window.clearTimeout(retry);
      retry = window.setTimeout(flush, RETRY_MS);
    } else if (last.errors) {
      tell([], false);
      showErrors(last.errors);
    } else {
      showErrors([]);
      tell(last.answer.messages, false);
    }
  }

  /* One sender per phone: the service worker when it looks after this page (its
     answer comes back as a "logs-sent" message), else the page itself. */
  function flush() {
    window.clearTimeout(retry);
    var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (worker) {
      worker.postMessage({ type: "send-logs" });
      return;
    }
    window.SMRLogQueue.flush().then(report, function () {
      tell([NO_STORAGE], true);
    });
  }

  /* Checks the server makes too, made here so that a log queued offline is one it takes. */
  function problems() {
    var found = [];
    var ticked = false;
    Array.prototype.forEach.call(form.querySelectorAll("[data-log-item]"), function (item) {
      var chosen = item.querySelector("input[name$='-status']:checked");
      if (!chosen || !chosen.value) { return; }
      ticked = true;
      if (chosen.value === "done" && (!item.querySelector("input[name$='-sensitivity']:checked") ||
          !item.querySelector("input[name$='-movement']:checked"))) {
        found.push(item.querySelector("h3").textContent + ": " + FEEDBACK_REQUIRED);
      }
    });
    var minutes = form.querySelector("[name='stretch-unbroken_minutes']");
    if (minutes && minutes.value.trim()) { ticked = true; }
    if (!ticked) { found.push(NOTHING_TICKED); }
    return found;
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var found = problems();
      showErrors(found);
      if (found.length) { return; }
      var data = new FormData(form);
      data.set("key", newKey());
      tell(["Saving…"], false);
      window.scrollTo({ top: 0, behavior: reduceMotion ? "auto" : "smooth" });
      window.SMRLogQueue.add({
        key: data.get("key"),
        member: member,
        day: data.get("day"),
        url: form.action,
        page: root.getAttribute("data-page"),
        body: new URLSearchParams(data).toString(),
        queuedAt: Date.now()
      }).then(function () {
        askForSync();
        flush();
      }, function () {
        // No IndexedDB (a private window in some browsers): the plain form still works.
        form.submit();
      });
    });
  }

  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush(); }
  });

  /* --- Offline: the service worker keeps this page and what it needs -------------- */

  /* Where the browser has Background Sync, the worker sends the queue when the
     connection returns, even with the page closed. */
  function askForSync() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) { return registration.sync.register(SYNC_TAG); }
      return null;
    }).catch(function () { /* The page sends the queue itself. */ });
  }

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      var data = event.data || {};
      if (data.type === "kept") { root.setAttribute("data-offline", "ready"); }
      if (data.type === "logs-sent") { report(data.results); }
    });
    navigator.serviceWorker.register(root.getAttribute("data-worker"), { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        registration.active.postMessage({ type: "keep", url: window.location.href });
      })
      .catch(function () { /* Without a service worker the session still works online. */ });
  }

  /* --- Start ----------------------------------------------------------------------- */

  Array.prototype.forEach.call(root.querySelectorAll("[data-go]"), function (button) {
    button.hidden = false;
  });
  root.classList.add("is-guided");
  show(0, false);
  window.SMRLogQueue.all().then(function (entries) {
    if (entries.some(function (entry) { return entry.member === member; })) {
      tell(["A log saved on this phone is waiting to be sent."], true);
      flush();
    }
  }, function () { /* No IndexedDB here: logs go straight to the server. */ });
})();
