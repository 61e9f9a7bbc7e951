/* The phone's queue of day logs waiting for the server, shared by the session page
   (static/js/session.js) and the service worker (static/js/sw.js), in IndexedDB,
   which both can read. Either may send the queue: the page when it is open, the
   worker when the connection returns (Background Sync, where the browser has it)
   and whenever a page of the site is opened. Each log carries its key, and the
   server saves a key once, so two senders at once never log a day twice.

   SMRLogQueue.add(entry), .all(), .flush() -> Promise of [{entry, ...result}], where
   a result is {answer} (saved, or saved before), {errors} (refused for good, with
   the reasons), or {keep, why} (kept for later: "offline", "signed-out", "other-member",
   "server"). */
(function (scope) {
  "use strict";

  var DB = "smr-session";
  var STORE = "logs";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { db.close(); resolve(request.result); };
        transaction.onerror = transaction.onabort = function () {
          db.close();
          reject(transaction.error);
        };
      });
    });
  }

  function all() {
    return run("readonly", function (store) { return store.getAll(); }).then(function (entries) {
      return entries.sort(function (a, b) { return a.queuedAt - b.queuedAt; });
    });
  }

  function add(entry) {
    return run("readwrite", function (store) { return store.put(entry); });
  }

  function remove(key) {
    return run("readwrite", function (store) { return store.delete(key); });
  }

  /* A token from a fresh copy of the session page, for a log queued before a new sign-in. */
  function freshToken(entry) {
    return fetch(entry.page, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.redirected ? "" : response.text(); })
      .then(function (html) {
        var found = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
        return found ? found[1] : null;
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
        return freshToken(entry).then(function (token) {
          if (!token) { return { keep: true, why: "signed-out" }; }
          var body = new URLSearchParams(entry.body);
          body.set("csrfmiddlewaretoken", token);
          entry.body = body.toString();
          return send(entry, true);
        }, function () { return { keep: true, why: "offline" }; });
      }
      if (response.status === 409) { return { keep: true, why: "other-member" }; }
      if (!json) { return { keep: true, why: response.status >= 500 ? "server" : "signed-out" }; }
      return response.json().then(function (answer) {
        if (response.ok) { return { answer: answer }; }
        if (response.status === 400) { return { errors: answer.errors || [] }; }
        return { keep: true, why: "server" };
      });
    }, function () {
      return { keep: true, why: "offline" };
    });
  }

  var running = null;

  /* Send the waiting logs oldest first; stop at the first that finds no connection. */
  function flush() {
    if (running) { return running; }
    running = all().then(function (entries) {
      var results = [];
      var chain = Promise.resolve(false);
      entries.forEach(function (entry) {
        chain = chain.then(function (stopped) {
          if (stopped) { return true; }
          return send(entry, false).then(function (result) {
            result.entry = entry;
            results.push(result);
            if (result.keep) { return result.why === "offline"; }
            return remove(entry.key).then(function () { return false; });
          });
        });
      });
      return chain.then(function () { return results; });
    });
    var done = function () { running = null; };
    running.then(done, done);
    return running;
  }

  scope.SMRLogQueue = { add: add, all: all, flush: flush };
})(self);
