// The data side of Krousar's offline app: the encrypted copy on the device (IndexedDB and
// WebCrypto), the device's key, the outbox, and sync with the server. The screens are in
// offline.js. Everything kept on the device is encrypted (AES-GCM) with the device's key; that
// key comes from the server to a signed-in session, and is kept on the device only wrapped with a
// key derived from the user's password (PBKDF2), so the copy opens offline for that user alone.
// Signing out wipes the device (Clear-Site-Data); a revoked device wipes itself at its next
// contact; a copy not refreshed for the organisation's number of days is wiped when opened (work
// waiting to be sent is kept).
(function () {
  "use strict";

  var DB_NAME = "krousar-offline";
  var PIECE = 64 * 1024;
  var BATCH = 20;
  var KEEP_DONE = 30;
  var PBKDF2_ROUNDS = 210000;
  var te = new TextEncoder();
  var td = new TextDecoder();
  // What the screens do when the data changes (set by offline.js).
  var hooks = { render: function () {}, notice: function () {}, status: function () {} };
  var S = {
    db: null, texts: {}, lang: "km", device: null, key: null, csrf: "", signedIn: false,
    forms: null, children: {}, conflicts: [], syncing: false, lastSync: null, locked: true
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

  // ---------- crypto ----------
  function b64(buf) {
    var b = new Uint8Array(buf), s = "";
    for (var i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
    return btoa(s);
  }
  function unb64(s) {
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function dataKey(secret) {
    return crypto.subtle.digest("SHA-256", te.encode(secret)).then(function (raw) {
      return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    });
  }
  function passwordKey(password, salt) {
    return crypto.subtle.importKey("raw", te.encode(password), "PBKDF2", false, ["deriveKey"]).then(function (base) {
      return crypto.subtle.deriveKey({ name: "PBKDF2", salt: salt, iterations: PBKDF2_ROUNDS, hash: "SHA-256" }, base,
        { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
    });
  }
  function encrypt(key, bytes) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, key, bytes).then(function (data) { return { iv: iv, data: data }; });
  }
  function seal(obj) { return encrypt(S.key, te.encode(JSON.stringify(obj))); }
  function unseal(rec) {
    return crypto.subtle.decrypt({ name: "AES-GCM", iv: rec.iv }, S.key, rec.data).then(function (b) { return JSON.parse(td.decode(b)); });
  }

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
    if (S.device) headers["X-Krousar-Device"] = S.device.id;
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
      return fetch("/api/v1/sync" + path, { method: opts.method || (b ? "POST" : "GET"), credentials: "same-origin", headers: headers, body: b });
    }).then(function (r) {
      if (r.status === 410) { return wipe("app-revoked").then(function () { throw new Refused("revoked"); }); }
      if (r.status === 401) { S.signedIn = false; throw new Refused("signed-out"); }
      return r.json().then(function (j) {
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
        S.texts = h.texts; S.lang = h.lang; S.signedIn = !!h.signed_in; S.csrf = h.csrf || "";
        S.mayWork = !!h.may_work_offline; S.userName = h.user_name || "";
        return put("meta", { k: "texts", lang: h.lang, texts: h.texts }).then(function () { return h; });
      });
  }

  function wipe(reasonKey) {
    S.key = null; S.children = {}; S.locked = true; S.device = null;
    return Promise.all(["meta", "children", "outbox", "done"].map(clear)).then(function () {
      try { localStorage.removeItem("krousar-unsent"); } catch (e) { /* private mode */ }
      return put("meta", { k: "texts", lang: S.lang, texts: S.texts });
    }).then(function () { hooks.notice(T(reasonKey)); hooks.render(); });
  }

  function enrol(name, password) {
    return api("/devices", { json: { name: name, password: password } }).then(function (r) {
      var salt = crypto.getRandomValues(new Uint8Array(16));
      return passwordKey(password, salt).then(function (pk) {
        return encrypt(pk, te.encode(r.key));
      }).then(function (wrapped) {
        S.device = { k: "device", id: r.device.id, name: r.device.name, salt: salt, wrapped: wrapped, offline_days: r.offline_days, user_name: S.userName };
        return put("meta", S.device);
      }).then(function () { return dataKey(r.key); }).then(function (k) { S.key = k; S.locked = false; });
    });
  }

  // Online with a session: the server releases the key. Offline: the password opens the copy.
  function unlockOnline() {
    return api("/key").then(function (r) {
      S.csrf = r.csrf; S.signedIn = true; S.device.offline_days = r.offline_days;
      return put("meta", S.device).then(function () { return dataKey(r.key); });
    }).then(function (k) { S.key = k; S.locked = false; });
  }
  function unlockWithPassword(password) {
    return passwordKey(password, S.device.salt).then(function (pk) {
      return crypto.subtle.decrypt({ name: "AES-GCM", iv: S.device.wrapped.iv }, pk, S.device.wrapped.data);
    }).then(function (secret) { return dataKey(td.decode(secret)); }).then(function (k) { S.key = k; S.locked = false; });
  }

  function expireIfStale() {
    return get("meta", "sync").then(function (m) {
      S.lastSync = m ? m.at : null;
      var days = (S.device && S.device.offline_days) || 14;
      if (m && Date.now() - m.at > days * 86400000) {
        return Promise.all([clear("children"), clear("done"), del("meta", "conflicts"), del("meta", "sync")]).then(function () {
          S.lastSync = null; hooks.notice(T("app-expired", { days: days }));
        });
      }
    });
  }

  function loadLocal() {
    return all("children").then(function (rows) {
      return Promise.all(rows.map(function (r) { return unseal(r.enc); }));
    }).then(function (kids) {
      S.children = {};
      kids.forEach(function (c) { S.children[c.id] = c; });
      return get("meta", "forms");
    }).then(function (f) {
      S.forms = f ? f.forms : null; S.formsHash = f ? f.hash : "";
      return get("meta", "places");
    }).then(function (pl) {
      // The gazetteer of the carried provinces (public data: kept in clear).
      S.places = pl ? pl.tree : []; S.placesHash = pl ? pl.hash : "";
      return get("meta", "conflicts");
    }).then(function (c) { return c ? unseal(c.enc) : []; }).then(function (c) { S.conflicts = c; return countUnsent(); });
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
    return seal(item).then(function (enc) { return put("outbox", { id: id, at: again ? again.at : Date.now(), enc: enc }); })
      .then(countUnsent).then(function () { if (navigator.onLine) sync(); });
  }

  // ---------- sync ----------
  function sendChanges() {
    return all("outbox").then(function (rows) {
      rows.sort(function (a, b) { return a.at - b.at; });
      return Promise.all(rows.map(function (r) { return unseal(r.enc).then(function (item) { return { row: r, item: item }; }); }));
    }).then(function (items) {
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
    return seal(d).then(function (enc) { return put("done", { id: item.change.id, at: d.at, enc: enc }); }).then(function () {
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
        return seal(item).then(function (enc) { return put("outbox", { id: x.row.id, at: x.row.at, enc: enc }); });
      }
      return remember(item, r.outcome, extra).then(function () { return del("outbox", x.row.id); });
    }
    if (r.outcome === "invalid") {
      item.state = "needs"; item.errors = r.errors || [];
      return seal(item).then(function (enc) { return put("outbox", { id: x.row.id, at: x.row.at, enc: enc }); });
    }
    return Promise.resolve(); // retry: stays waiting
  }

  function sendPhoto(x) {
    var item = x.item, id = item.change.id, bytes = unb64(item.photo.data);
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
      rows.forEach(function (r) { have[r.id] = r.stamp; });
      return api("/pull", { json: { have: have, forms: S.formsHash || "", places: S.placesHash || "" } });
    }).then(function (p) {
      var work = (p.children || []).map(function (c) {
        return seal(c).then(function (enc) { return put("children", { id: c.id, stamp: c.stamp, enc: enc }); });
      });
      (p.drop || []).forEach(function (id) { work.push(del("children", id)); });
      if (p.forms) work.push(put("meta", { k: "forms", hash: p.forms_hash, forms: p.forms }));
      if (p.places) work.push(put("meta", { k: "places", hash: p.places_hash, tree: p.places }));
      work.push(seal(p.conflicts || []).then(function (enc) { return put("meta", { k: "conflicts", enc: enc }); }));
      work.push(put("meta", { k: "sync", at: Date.now() }));
      S.device.offline_days = p.offline_days;
      work.push(put("meta", S.device));
      return Promise.all(work);
    });
  }

  function sync() {
    if (S.syncing || S.locked || !S.key || !navigator.onLine) return Promise.resolve();
    S.syncing = true; hooks.status();
    var p = S.signedIn ? Promise.resolve() : unlockOnline();
    return p.then(sendChanges).then(pull).then(loadLocal).then(function () {
      S.lastSync = Date.now(); hooks.notice("");
    }).catch(function (e) {
      if (e instanceof Refused && e.kind === "signed-out") hooks.notice(T("app-sign-in-to-send"), "/login");
      else if (!(e instanceof Refused && e.kind === "revoked")) hooks.notice(T("app-send-later"));
    }).then(function () { S.syncing = false; hooks.render(); });
  }


  window.KrousarOffline = {
    S: S, T: T, hooks: hooks, Refused: Refused, b64: b64,
    openDb: openDb, get: get, put: put, del: del, all: all, seal: seal, unseal: unseal,
    loadTexts: loadTexts, enrol: enrol, unlockOnline: unlockOnline, unlockWithPassword: unlockWithPassword,
    expireIfStale: expireIfStale, loadLocal: loadLocal, countUnsent: countUnsent, record: record, sync: sync
  };
})();
