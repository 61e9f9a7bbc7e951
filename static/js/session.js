/* The guided session (routines/session.html): one screen at a time with Back and
   Next, the screen kept on while a technique is under way (Screen Wake Lock API,
   where the browser has it), the page kept for offline use by the service worker,
   and the day's log queued on the phone until the server has it.

   The queue lives in localStorage. Each log gets a fresh key when Save is pressed;
   every send of it carries that key, and the server saves a key once, so sending
   again after a lost answer, or from two tabs at once, never logs twice. */
(function () {
  "use strict";

  var root = document.querySelector("[data-session]");
  if (!root) { return; }

  var QUEUE = "smr-session-log-queue";
  var RETRY_MS = 20000;
  var FEEDBACK_REQUIRED = "Say how the area responded: sensitivity and movement.";
  var NOTHING_TICKED = "Nothing to save: tick at least one item as done or skipped, or give the stretch minutes.";
  var QUEUED = "Saved on this phone. It will be sent as soon as you are back online.";
  var SIGN_IN = "Your log is kept on this phone: sign in again, then open this session to send it.";
  var TRY_LATER = "The server did not take your log just now; it is kept on this phone and sent again soon.";

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
  var flushing = false;
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

  /* --- The queue of logs waiting to be sent -------------------------------------- */

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(QUEUE) || "[]");
    } catch (error) {
      return [];
    }
  }

  function store(entries) {
    window.localStorage.setItem(QUEUE, JSON.stringify(entries));
  }

  function remove(key) {
    store(load().filter(function (entry) { return entry.key !== key; }));
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function tell(lines, isError) {
    saved.textContent = "";
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      saved.appendChild(p);
    });
    saved.classList.toggle("is-waiting", Boolean(isError));
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

  /* A token from a fresh copy of the page, for a log queued before a new sign-in. */
  function freshToken() {
    return fetch(root.getAttribute("data-page"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var found = new DOMParser().parseFromString(html, "text/html")
          .querySelector("input[name=csrfmiddlewaretoken]");
        return found ? found.value : null;
      });
  }

  function send(entry, retried) {
    return fetch(entry.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: entry.body
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.status === 403 && !retried) {
        return freshToken().then(function (token) {
          if (!token) { return { keep: true, message: SIGN_IN }; }
          var body = new URLSearchParams(entry.body);
          body.set("csrfmiddlewaretoken", token);
          entry.body = body.toString();
          return send(entry, true);
        }, function () { return { keep: true, message: SIGN_IN }; });
      }
      if (!json) { return { keep: true, message: response.status >= 500 ? TRY_LATER : SIGN_IN }; }
      return response.json().then(function (answer) {
        if (response.ok) { return { answer: answer }; }
        if (response.status === 400) { return { errors: answer.errors || [] }; }
        return { keep: true, message: TRY_LATER };
      });
    }, function () {
      return { keep: true, message: QUEUED };
    });
  }

  /* Send every log of this member waiting on the phone, oldest first. */
  function flush() {
    if (flushing) { return; }
    var mine = load().filter(function (entry) { return entry.member === member; });
    if (!mine.length) { return; }
    flushing = true;
    window.clearTimeout(retry);
    var chain = Promise.resolve();
    mine.forEach(function (entry) {
      chain = chain.then(function () {
        return send(entry, false).then(function (result) {
          if (result.keep) {
            tell([result.message], true);
            window.clearTimeout(retry);
            retry = window.setTimeout(flush, RETRY_MS);
            throw result;
          }
          remove(entry.key);
          if (result.errors) {
            tell([], false);
            showErrors(result.errors);
          } else {
            showErrors([]);
            tell(result.answer.messages, false);
          }
        });
      });
    });
    chain.catch(function () { /* Kept for the next try. */ }).then(function () { flushing = false; });
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
      var entries = load();
      entries.push({
        key: data.get("key"),
        member: member,
        day: data.get("day"),
        url: form.action,
        body: new URLSearchParams(data).toString()
      });
      store(entries);
      tell(["Saving…"], false);
      window.scrollTo({ top: 0, behavior: reduceMotion ? "auto" : "smooth" });
      flush();
    });
  }

  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush(); }
  });

  /* --- Offline: the service worker keeps this page and what it needs -------------- */

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "kept") { root.setAttribute("data-offline", "ready"); }
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
  if (load().some(function (entry) { return entry.member === member; })) {
    tell(["A log saved on this phone is waiting to be sent."], true);
    flush();
  }
})();
