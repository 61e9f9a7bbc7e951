/* The service worker of the guided session, served at /sw.js by
   routines.session_views.service_worker, which puts ASSETS (the static files the
   session needs), PAGE (the session's path), LOGOUT (the sign-out path), MEDIA
   (where uploads are) and VERSION (a hash of all of it) above this text.

   It looks after only the session page, those files and pictures, network first:
   online, every answer comes from the server and refreshes the copy kept here;
   offline, the copy answers. Every other request goes to the network untouched.
   A log saved offline is queued by the page itself (static/js/session.js). */
"use strict";

var CACHE = "smr-session-" + VERSION;

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

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
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
