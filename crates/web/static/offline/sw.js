// Krousar's service worker: keeps the offline app's shell (never a page with personal data:
// those are `no-store` and always come from the network) so that the app opens with no signal.
// A page asked for while offline is answered with the app.
"use strict";
var VERSION = "__VERSION__";
var CACHE = "krousar-shell-" + VERSION;
var SHELL = ["/app", "/static/offline-keys.js", "/static/offline-data.js", "/static/offline-device.js", "/static/offline.js", "/static/offline-forms.js", "/static/offline-push.js", "/static/app.css", "/manifest.webmanifest", "/static/icon.svg", "/static/icon-192.png"];

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("krousar-shell-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (SHELL.indexOf(url.pathname) >= 0) {
    // The shell opens from the copy at once (a 2G line can take seconds); the copy is
    // refreshed behind it, so an update shows at the next opening.
    var fresh = fetch(req).then(function (res) {
      if (res.ok) { var copy = res.clone(); caches.open(CACHE).then(function (c) { c.put(url.pathname, copy); }); }
      return res;
    });
    e.respondWith(caches.match(url.pathname).then(function (hit) { return hit || fresh; }));
    e.waitUntil(fresh.catch(function () {}));
    return;
  }
  if (req.mode === "navigate") {
    e.respondWith(fetch(req).catch(function () { return caches.match("/app"); }));
  }
});

// A notice pushed to this phone: only what kind of thing happened and how many (the server
// sends nothing else); a tap opens the notice in Krousar, which needs sign-in.
self.addEventListener("push", function (e) {
  var d = {};
  try { d = e.data ? e.data.json() : {}; } catch (x) { d = {}; }
  e.waitUntil(self.registration.showNotification(d.title || "Krousar", {
    body: d.body || "", tag: d.tag || "krousar", icon: "/static/icon-192.png", data: { link: d.link }
  }));
});

self.addEventListener("notificationclick", function (e) {
  e.notification.close();
  var link = e.notification.data && e.notification.data.link;
  // A path on this server only, never another site.
  if (typeof link !== "string" || !/^\/notifications\/[0-9a-f-]{36}$/.test(link)) link = "/notifications";
  e.waitUntil(self.clients.openWindow(link));
});
