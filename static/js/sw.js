/* The service worker of the guided session, served at /sw.js by
   routines.session_views.service_worker, which puts ASSETS (the static files the
   session needs), QUEUE (static/js/log-queue.js), PAGE (the session's path), LOGOUT
   (the sign-out path), MEDIA (where uploads are) and VERSION (a hash of all of it)
   above this text.

   It looks after only the session page, those files and pictures, network first:
   online, every answer comes from the server and refreshes the copy kept here;
   offline, the copy answers. Every other request goes to the network untouched.
   It also sends the day logs queued on the phone (static/js/log-queue.js) when the
   connection returns (Background Sync) and when any page of the site is opened, and
   tells open pages what came of them. */
"use strict";

importScripts(QUEUE);

var CACHE = "smr-session-" + VERSION;
var SYNC_TAG = "smr-log";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(ASSETS); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("smr-session-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isPage(url) {
  return url.pathname === PAGE;
}

/* The page asks for its own address (with any query) to be kept once it has loaded. */
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "send-logs") {
    event.waitUntil(sendLogs().catch(function () { /* The page tries again later. */ }));
    return;
  }
  if (data.type !== "keep") { return; }
  var url = new URL(data.url, self.location.href);
  if (url.origin !== self.location.origin || !isPage(url)) { return; }
  url.hash = "";
  event.waitUntil(
    fetch(url.href, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok || response.redirected) { return null; }
      return caches.open(CACHE).then(function (cache) { return cache.put(url.href, response); });
    }).then(function () {
      if (event.source) { event.source.postMessage({ type: "kept", url: url.href }); }
    }).catch(function () { /* Offline already: the copy kept earlier stays. */ })
  );
});

function kept(request, url) {
  if (isPage(url)) { return true; }
  if (ASSETS.indexOf(url.pathname) !== -1) { return true; }
  // Uploaded photos of a position, shown on the session page.
  return request.destination === "image" && url.pathname.indexOf(MEDIA) === 0;
}

/* Send the queued logs; the open pages show what came of them. */
function sendLogs() {
  return SMRLogQueue.flush().then(function (results) {
    if (!results.length) { return results; }
    var plain = results.map(function (result) {
      return {
        entry: { key: result.entry.key, member: result.entry.member },
        answer: result.answer, errors: result.errors, keep: result.keep, why: result.why
      };
    });
    return self.clients.matchAll().then(function (clients) {
      clients.forEach(function (client) { client.postMessage({ type: "logs-sent", results: plain }); });
      return results;
    });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag !== SYNC_TAG) { return; }
  event.waitUntil(sendLogs().then(function (results) {
    // Still offline: failing the sync makes the browser try again later.
    if (results.some(function (result) { return result.why === "offline"; })) {
      throw new Error("offline");
    }
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && request.method === "GET") {
    event.waitUntil(sendLogs().catch(function () { /* Tried again on the next page. */ }));
  }
  if (request.method === "POST" && url.pathname === LOGOUT) {
    // The member's own page must not stay on a shared phone after they sign out.
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.filter(function (found) {
          return isPage(new URL(found.url));
        }).map(function (found) { return cache.delete(found); }));
      });
    }));
    return;
  }
  if (request.method !== "GET" || !kept(request, url)) { return; }
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok && !response.redirected && response.type === "basic") {
        var copy = response.clone();
        event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(request, copy); }));
      }
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreVary: true }).then(function (found) {
        return found || Response.error();
      });
    })
  );
});
