// The data side of Krousar's offline app: the encrypted copy on the device (IndexedDB), the
// device itself, the outbox, and sync with the server. The screens are in offline.js, the keys
// in offline-keys.js. Everything kept on the device is encrypted with the device's data key,
// each value bound to where it is kept. The key is released by the server only when the owner
// types their password on the device (and then wrapped again with it, so a changed password
// takes over at once); with no network the password opens the wrapping kept here. A device
// proves itself to the server with a secret it made. Signing out wipes the device
// (Clear-Site-Data); a revoked device wipes itself at its next contact; another person signed
// in on the browser only locks it; a copy not refreshed for the organisation's number of days
// is wiped when opened (work waiting to be sent is kept); the app locks after a while unused.
(function () {
  "use strict";

  var DB_NAME = "krousar-offline";
  var PIECE = 64 * 1024;
  var BATCH = 20;
  var KEEP_DONE = 30;
  var KK = window.KrousarKeys;
  // What the screens do when the data changes (set by offline.js).
  var hooks = { render: function () {}, notice: function () {}, status: function () {}, refresh: function () {} };
  var S = {
    db: null, texts: {}, lang: "km", device: null, key: null, csrf: "", signedIn: false,
    forms: null, children: {}, conflicts: [], syncing: false, lastSync: null, locked: true, stamps: {}
  };

  // ---------- texts ----------
  function T(key, args) {
    var s = S.texts[key] || key;
    if (args) Object.keys(args).forEach(function (k) { s = s.split("{" + k + "}").join(digits(args[k])); });
    return s;
  }

  // Numbers in Khmer digits for a Khmer reader, as the pages show them.
  function digits(v) {
    var t = String(v);
    if (typeof v !== "number" || S.lang !== "km") return t;
    return t.replace(/[0-9]/g, function (d) { return String.fromCharCode(0x17e0 + Number(d)); });
  }

  // A moment as the pages write it: "7 December 2026, 07:21" / "៧ ធ្នូ ២០២៦ ម៉ោង ០៧:២១" (the
  // browser's own formats give "7:21:17 AM" whatever the language).
  function when(ms) {
    var d = new Date(ms);
    var km = function (s) { return S.lang === "km" ? s.replace(/[0-9]/g, function (c) { return String.fromCharCode(0x17e0 + Number(c)); }) : s; };
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    var day = km(String(d.getDate())) + " " + T("month-" + (d.getMonth() + 1)) + " " + km(String(d.getFullYear()));
    return T("msg-day-at-time", { day: day, time: km(two(d.getHours()) + ":" + two(d.getMinutes())) });
  }

  // ---------- IndexedDB ----------
  function openDb() {
    return new Promise(function (ok, fail) {
      var r = indexedDB.open(DB_NAME, 1);
      r.onupgradeneeded = function () {
        var db = r.result;
        db.createObjectStore("meta", { keyPath: "k" });
        db.createObjectStore("children", { keyPath: "id" });
        db.createObjectStore("outbox", { keyPath: "id" });
        db.createObjectStore("done", { keyPath: "id" });
      };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { fail(r.error); };
    });
  }
  function req(store, mode, fn) {
    return new Promise(function (ok, fail) {
      var t = S.db.transaction(store, mode);
      var r = fn(t.objectStore(store));
      t.oncomplete = function () { ok(r && r.result); };
      t.onerror = function () { fail(t.error); };
    });
  }
  function get(store, key) { return req(store, "readonly", function (s) { return s.get(key); }); }
  function put(store, v) { return req(store, "readwrite", function (s) { return s.put(v); }); }
  function del(store, key) { return req(store, "readwrite", function (s) { return s.delete(key); }); }
  function all(store) { return req(store, "readonly", function (s) { return s.getAll(); }); }
  function clear(store) { return req(store, "readwrite", function (s) { return s.clear(); }); }

  // ---------- sealed rows ----------
  // A row's value sealed with the data key and bound to the row (its store, id and stamp).
  function sealRow(store, row, obj) {
    return KK.seal(S.key, obj, KK.rowAd(store, row)).then(function (enc) { row.enc = enc; return row; });
  }
  function unsealRow(store, row) { return KK.unseal(S.key, row.enc, KK.rowAd(store, row)); }
  function putSealed(store, row, obj) { return sealRow(store, row, obj).then(function (r) { return put(store, r); }); }

  // ---------- ids ----------
  // UUIDv7: the time in milliseconds, then random bits; made here, so nothing collides.
  function uuid7() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    var ms = Date.now();
    for (var i = 5; i >= 0; i--) { b[i] = ms % 256; ms = Math.floor(ms / 256); }
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // ---------- network ----------
  function Refused(kind) { this.kind = kind; }
  function gzip(obj) {
    var text = JSON.stringify(obj);
    if (typeof CompressionStream === "undefined") return Promise.resolve({ body: text, gz: false });
    var stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (buf) { return { body: buf, gz: true }; });
  }
  function api(path, opts) {
    opts = opts || {};
    var headers = { Accept: "application/json" };
    if (S.device) { headers["X-Krousar-Device"] = S.device.id; headers["X-Krousar-Device-Secret"] = S.device.secret || ""; }
    if (S.csrf) headers["X-CSRF-Token"] = S.csrf;
    var body = Promise.resolve(null);
    if (opts.json !== undefined) {
      body = gzip(opts.json).then(function (g) {
        headers["Content-Type"] = "application/json";
        if (g.gz) headers["Content-Encoding"] = "gzip";
        return g.body;
      });
    } else if (opts.bytes) {
      headers["Content-Type"] = "application/octet-stream";
      body = Promise.resolve(opts.bytes);
    }
    return body.then(function (b) {
      return fetch("/api/v1/sync" + path, { method: opts.method || (b ? "POST" : "GET"), credentials: "same-origin", headers: headers, body: b })
        .catch(function () { throw new Refused("network"); });
    }).then(function (r) {
      if (r.status === 410) { return wipe("app-revoked").then(function () { throw new Refused("revoked"); }); }
      if (r.status === 401) { S.signedIn = false; throw new Refused("signed-out"); }
      if (r.status === 204) return {};
      return r.json().then(function (j) {
        if (r.status === 403 && j.error && j.error.code === "device_not_yours") {
          // Someone else is signed in on this browser: lock the copy and keep it for its owner.
          lock("app-not-yours");
          throw new Refused("not-yours");
        }
        if (!r.ok) { var e = new Refused("error"); e.body = j; e.status = r.status; throw e; }
        return j;
      });
    });
  }

  // ---------- the device ----------
  function loadTexts() {
    return fetch("/api/v1/sync/hello", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (h) {
        S.signedIn = !!h.signed_in; S.csrf = h.csrf || "";
        S.mayWork = !!h.may_work_offline; S.userName = h.user_name || "";
        // Nobody signed in: the texts are in the browser's language; a device keeps its owner's.
        if (!h.signed_in && S.device && S.texts["app-home-title"]) return h;
        S.texts = h.texts; S.lang = h.lang;
        return put("meta", { k: "texts", lang: h.lang, texts: h.texts }).then(function () { return h; });
      });
  }

  function wipe(reasonKey) {
    // Nothing more is pushed to a wiped copy's browser.
    if (K_push()) K_push().forget();
    S.key = null; S.children = {}; S.locked = true; S.device = null; S.push = null;
    return Promise.all(["meta", "children", "outbox", "done"].map(clear)).then(function () {
      try { localStorage.removeItem("krousar-unsent"); } catch (e) { /* private mode */ }
      return put("meta", { k: "texts", lang: S.lang, texts: S.texts });
    }).then(function () { hooks.notice(T(reasonKey)); hooks.render(); });
  }

  // Forget what is open: the key and the children leave memory; the copy stays, sealed.
  function K_push() { return window.KrousarOffline && window.KrousarOffline.push; }

  function lock(reasonKey) {
    S.key = null; S.children = {}; S.locked = true; S.conflicts = []; S.push = null;
    hooks.notice(reasonKey ? T(reasonKey, { name: (S.device && S.device.user_name) || "" }) : "");
    hooks.render();
  }

  // A row that does not open where it is, or whose stamp is not the one the last sync sealed
  // (put back from an older copy), is dropped: the next sync brings it again.
  function loadLocal() {
    return all("children").then(function (rows) {
      return Promise.all(rows.map(function (r) {
        if (S.stamps[r.id] !== r.stamp) return del("children", r.id).then(function () { return null; });
        return unsealRow("children", r).catch(function () { return del("children", r.id).then(function () { return null; }); });
      }));
    }).then(function (kids) {
      S.children = {};
      kids.forEach(function (c) { if (c) S.children[c.id] = c; });
      return get("meta", "forms");
    }).then(function (f) {
      S.forms = f ? f.forms : null; S.formsHash = f ? f.hash : "";
      return get("meta", "places");
    }).then(function (pl) {
      // The gazetteer of the carried provinces (public data: kept in clear).
      S.places = pl ? pl.tree : []; S.placesHash = pl ? pl.hash : "";
      return get("meta", "conflicts");
    }).then(function (c) { return c ? unsealRow("meta", c).catch(function () { return []; }) : []; }).then(function (c) { S.conflicts = c; return countUnsent(); });
  }

  function countUnsent() {
    return all("outbox").then(function (rows) {
      try { localStorage.setItem("krousar-unsent", String(rows.length)); } catch (e) { /* private mode */ }
      return rows;
    });
  }

  // ---------- recording ----------
  // Keep a change in the outbox, encrypted. A corrected change (`extra.replace`: the row it
  // corrects) keeps its id: the server never made it, so nothing can be made twice.
  function record(kind, child, fields, extra) {
    var again = extra && extra.replace;
    var id = again ? again.id : uuid7();
    var change = { id: id, kind: kind, child: kind === "register" ? id : child, recorded_at: again ? again.recorded_at : new Date().toISOString(), fields: fields };
    if (extra && extra.base) change.base = extra.base;
    var item = { change: change, label: extra && extra.label, photo: extra && extra.photo, state: "waiting", errors: [] };
    return putSealed("outbox", { id: id, at: again ? again.at : Date.now() }, item)
      .then(countUnsent).then(function () { if (navigator.onLine) sync(); });
  }

  // ---------- sync ----------
  function sendChanges() {
    return all("outbox").then(function (rows) {
      rows.sort(function (a, b) { return a.at - b.at; });
      return Promise.all(rows.map(function (r) { return unsealRow("outbox", r).then(function (item) { return { row: r, item: item }; }, function () { return null; }); }));
    }).then(function (items) {
      items = items.filter(Boolean);
      var waiting = items.filter(function (x) { return x.item.state === "waiting"; });
      var chain = Promise.resolve();
      for (var i = 0; i < waiting.length; i += BATCH) {
        (function (batch) {
          chain = chain.then(function () {
            return api("/push", { json: { changes: batch.map(function (x) { return x.item.change; }) } }).then(function (res) {
              return Promise.all(res.results.map(function (r, j) { return settle(batch[j], r); }));
            });
          });
        })(waiting.slice(i, i + BATCH));
      }
      return chain.then(function () { return items.filter(function (x) { return x.item.state === "photo"; }); });
    }).then(function (photos) {
      var chain = Promise.resolve();
      photos.forEach(function (x) { chain = chain.then(function () { return sendPhoto(x); }); });
      return chain;
    });
  }

  function remember(item, outcome, extra) {
    var d = { label: item.label, outcome: outcome, at: Date.now() };
    if (extra) Object.keys(extra).forEach(function (k) { d[k] = extra[k]; });
    return putSealed("done", { id: item.change.id, at: d.at }, d).then(function () {
      // Keep the last few answers only: names of children do not pile up on the device.
      return all("done");
    }).then(function (rows) {
      rows.sort(function (a, b) { return b.at - a.at; });
      return Promise.all(rows.slice(KEEP_DONE).map(function (r) { return del("done", r.id); }));
    });
  }

  function settle(x, r) {
    var item = x.item;
    if (r.outcome === "accepted" || r.outcome === "already" || r.outcome === "conflict") {
      var extra = { notice: r.notice || "", link: r.link || "" };
      if (item.photo && r.outcome !== "conflict") {
        item.state = "photo";
        return putSealed("outbox", { id: x.row.id, at: x.row.at }, item);
      }
      return remember(item, r.outcome, extra).then(function () { return del("outbox", x.row.id); });
    }
    if (r.outcome === "invalid") {
      item.state = "needs"; item.errors = r.errors || [];
      return putSealed("outbox", { id: x.row.id, at: x.row.at }, item);
    }
    return Promise.resolve(); // retry: stays waiting
  }

  function sendPhoto(x) {
    var item = x.item, id = item.change.id, bytes = KK.unb64(item.photo.data);
    return api("/photos/" + id).then(function (st) {
      var offset = st.stored ? bytes.length : st.received;
      function next(off) {
        if (off >= bytes.length) return Promise.resolve();
        return api("/photos/" + id + "?offset=" + off, { method: "PUT", bytes: bytes.slice(off, off + PIECE) })
          .then(function (s) { return s.stored ? null : next(s.received); });
      }
      return (st.stored ? Promise.resolve() : next(offset)).then(function () {
        return crypto.subtle.digest("SHA-256", bytes);
      }).then(function (h) {
        var hex = Array.prototype.map.call(new Uint8Array(h), function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
        return api("/photos/" + id + "/done", { json: { name: item.photo.name, sha256: hex } });
      });
    }).then(function () {
      return remember(item, "accepted").then(function () { return del("outbox", x.row.id); });
    });
  }

  function pull() {
    var have = {};
    return all("children").then(function (rows) {
      rows.forEach(function (r) { if (S.stamps[r.id] === r.stamp) have[r.id] = r.stamp; });
      return api("/pull", { json: { have: have, forms: S.formsHash || "", places: S.placesHash || "" } });
    }).then(function (p) {
      var stamps = {};
      Object.keys(have).forEach(function (id) { stamps[id] = have[id]; });
      (p.drop || []).forEach(function (id) { delete stamps[id]; });
      (p.children || []).forEach(function (c) { stamps[c.id] = c.stamp; });
      var work = (p.children || []).map(function (c) { return putSealed("children", { id: c.id, stamp: c.stamp }, c); });
      (p.drop || []).forEach(function (id) { work.push(del("children", id)); });
      if (p.forms) work.push(put("meta", { k: "forms", hash: p.forms_hash, forms: p.forms }));
      if (p.places) work.push(put("meta", { k: "places", hash: p.places_hash, tree: p.places }));
      work.push(putSealed("meta", { k: "conflicts" }, p.conflicts || []));
      return Promise.all(work).then(function () {
        // Sealed last: rows it names are all in place.
        S.stamps = stamps;
        S.device.offline_days = p.offline_days;
        return Promise.all([putSealed("meta", { k: "sync" }, { at: Date.now(), stamps: stamps }), put("meta", S.device)]);
      }).then(function () { return window.KrousarOffline.dropStaleWrapping(p.password_epoch); });
    });
  }

  function sync() {
    if (S.syncing || S.locked || !S.key || !navigator.onLine) return Promise.resolve();
    S.syncing = true; hooks.status();
    var p = S.signedIn ? Promise.resolve() : loadTexts().then(function (h) { if (!h.signed_in) throw new Refused("signed-out"); });
    return p.then(sendChanges).then(pull).then(loadLocal).then(function () {
      S.lastSync = Date.now(); hooks.notice("");
    }).catch(function (e) {
      if (e instanceof Refused && e.kind === "signed-out") hooks.notice(T("app-sign-in-to-send"), "/login");
      else if (!(e instanceof Refused && (e.kind === "revoked" || e.kind === "not-yours"))) hooks.notice(T("app-send-later"));
    }).then(function () { S.syncing = false; hooks.refresh(); });
  }


  // The device's own part (enrolment, unlocking, keys) is in offline-device.js, which adds to this.
  window.KrousarOffline = {
    S: S, T: T, when: when, hooks: hooks, Refused: Refused, b64: KK.b64,
    openDb: openDb, get: get, put: put, del: del, all: all, clear: clear, api: api, wipe: wipe,
    putSealed: putSealed, unsealRow: unsealRow,
    loadTexts: loadTexts, lock: lock, loadLocal: loadLocal, countUnsent: countUnsent, record: record, sync: sync
  };
})();
