// Krousar's offline app: carries the worker's cases on the device, records visits, notes,
// assessments, tasks done, tracing attempts, corrections and new registrations with no network,
// and sends them when a line comes back. Everything kept on the device is encrypted (AES-GCM)
// with the device's key; that key comes from the server to a signed-in session, and is kept on
// the device only wrapped with a key derived from the user's password (PBKDF2), so the copy
// opens offline for that user alone. Signing out wipes the device (Clear-Site-Data); a revoked
// device wipes itself at its next contact; a copy not refreshed for the organisation's number of
// days is wiped when opened (work waiting to be sent is kept).
(function () {
  "use strict";

  var DB_NAME = "krousar-offline";
  var PIECE = 64 * 1024;
  var BATCH = 20;
  var PBKDF2_ROUNDS = 210000;
  var te = new TextEncoder();
  var td = new TextDecoder();
  var S = {
    db: null, texts: {}, lang: "km", device: null, key: null, csrf: "", signedIn: false,
    forms: null, children: {}, conflicts: [], syncing: false, lastSync: null, locked: true
  };

  // ---------- texts ----------
  function T(key, args) {
    var s = S.texts[key] || key;
    if (args) Object.keys(args).forEach(function (k) { s = s.split("{" + k + "}").join(String(args[k])); });
    return s;
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
    }).then(function () { show("notice", T(reasonKey)); render(); });
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
        return clear("children").then(function () { return del("meta", "sync"); }).then(function () {
          S.lastSync = null; show("notice", T("app-expired", { days: days }));
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
  function record(kind, child, fields, extra) {
    var id = uuid7();
    var change = { id: id, kind: kind, child: kind === "register" ? id : child, recorded_at: new Date().toISOString(), fields: fields };
    if (extra && extra.base) change.base = extra.base;
    var item = { change: change, label: extra && extra.label, photo: extra && extra.photo, state: "waiting", errors: [] };
    return seal(item).then(function (enc) { return put("outbox", { id: id, at: Date.now(), enc: enc }); })
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
    return seal(d).then(function (enc) { return put("done", { id: item.change.id, at: d.at, enc: enc }); });
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
      return api("/pull", { json: { have: have, forms: S.formsHash || "" } });
    }).then(function (p) {
      var work = (p.children || []).map(function (c) {
        return seal(c).then(function (enc) { return put("children", { id: c.id, stamp: c.stamp, enc: enc }); });
      });
      (p.drop || []).forEach(function (id) { work.push(del("children", id)); });
      if (p.forms) work.push(put("meta", { k: "forms", hash: p.forms_hash, forms: p.forms }));
      work.push(seal(p.conflicts || []).then(function (enc) { return put("meta", { k: "conflicts", enc: enc }); }));
      work.push(put("meta", { k: "sync", at: Date.now() }));
      S.device.offline_days = p.offline_days;
      work.push(put("meta", S.device));
      return Promise.all(work);
    });
  }

  function sync() {
    if (S.syncing || S.locked || !S.key || !navigator.onLine) return Promise.resolve();
    S.syncing = true; status();
    var p = S.signedIn ? Promise.resolve() : unlockOnline();
    return p.then(sendChanges).then(pull).then(loadLocal).then(function () {
      S.lastSync = Date.now(); show("notice", "");
    }).catch(function (e) {
      if (e instanceof Refused && e.kind === "signed-out") show("notice", T("app-sign-in-to-send"), "/login");
      else if (!(e instanceof Refused && e.kind === "revoked")) show("notice", T("app-send-later"));
    }).then(function () { S.syncing = false; render(); });
  }

  // ---------- views ----------
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k.indexOf("on") === 0) e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function show(id, text, href) {
    var n = document.getElementById(id);
    n.textContent = "";
    if (!text) { n.className = ""; return; }
    n.className = "notice";
    n.appendChild(document.createTextNode(text + " "));
    if (href) n.appendChild(el("a", { href: href, text: T("app-sign-in") }));
  }
  function title(t) { document.getElementById("title").textContent = t; document.title = t + " · Krousar"; }
  function status() {
    var online = navigator.onLine;
    var n = document.getElementById("net");
    n.textContent = (online ? T("app-online") : T("app-offline")) + (S.syncing ? " · " + T("app-sending") : "");
    n.className = "net " + (online ? "on" : "off");
  }
  function go(hash) { location.hash = hash; }

  function render() {
    status();
    var view = document.getElementById("view");
    view.textContent = "";
    var route = location.hash.replace(/^#\/?/, "").split("/");
    if (!S.device) return renderSetup(view);
    if (S.locked) return renderUnlock(view);
    if (route[0] === "child" && S.children[route[1]]) return renderChild(view, S.children[route[1]]);
    if (route[0] === "form" && S.forms) return renderForm(view, route[1], route[2]);
    return renderHome(view);
  }

  function renderSetup(view) {
    title(T("app-setup-title"));
    if (!window.crypto || !crypto.subtle || !("serviceWorker" in navigator)) {
      view.appendChild(el("p", { class: "notice error", text: T("app-needs-https") }));
      return;
    }
    if (!navigator.onLine || !S.signedIn) {
      view.appendChild(el("p", { text: T("app-setup-sign-in") }));
      view.appendChild(el("p", {}, [el("a", { class: "button primary", href: "/login", text: T("app-sign-in") })]));
      return;
    }
    if (!S.mayWork) { view.appendChild(el("p", { class: "notice error", text: T("app-not-for-role") })); return; }
    var err = el("p", { class: "error-text", role: "alert" });
    var name = el("input", { id: "device-name", name: "name", value: T("app-default-device-name"), required: "required" });
    var pw = el("input", { id: "device-password", name: "password", type: "password", autocomplete: "current-password", required: "required" });
    var form = el("form", { class: "offline-form" }, [
      el("p", { class: "help", text: T("app-setup-help") }),
      el("div", { class: "field" }, [el("label", { for: "device-name", text: T("app-device-name") }), name]),
      el("div", { class: "field" }, [el("label", { for: "device-password", text: T("app-password") }), pw]),
      err,
      el("button", { class: "primary", type: "submit", text: T("app-setup-button") })
    ]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      enrol(name.value, pw.value).then(function () { return sync(); }).catch(function (x) {
        err.textContent = (x.body && x.body.error && (x.body.error.fields || [{}])[0].message) || (x.body && x.body.error && x.body.error.message) || T("app-send-later");
      });
    });
    view.appendChild(form);
  }

  function renderUnlock(view) {
    title(T("app-unlock-title"));
    var err = el("p", { class: "error-text", role: "alert" });
    var pw = el("input", { id: "unlock-password", type: "password", autocomplete: "current-password", required: "required" });
    var form = el("form", { class: "offline-form" }, [
      el("p", { class: "help", text: T("app-unlock-help") }),
      el("div", { class: "field" }, [el("label", { for: "unlock-password", text: T("app-password") }), pw]),
      err, el("button", { class: "primary", type: "submit", text: T("app-unlock-button") })
    ]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      unlockWithPassword(pw.value).then(expireIfStale).then(loadLocal).then(render).then(sync)
        .catch(function () { err.textContent = T("app-wrong-password"); });
    });
    view.appendChild(form);
  }

  function outboxItems() {
    return all("outbox").then(function (rows) {
      rows.sort(function (a, b) { return a.at - b.at; });
      return Promise.all(rows.map(function (r) { return unseal(r.enc).then(function (i) { i.rowId = r.id; return i; }); }));
    });
  }
  function doneItems() {
    return all("done").then(function (rows) {
      rows.sort(function (a, b) { return b.at - a.at; });
      return Promise.all(rows.slice(0, 20).map(function (r) { return unseal(r.enc); }));
    });
  }

  function renderHome(view) {
    title(T("app-home-title"));
    var when = S.lastSync ? new Date(S.lastSync).toLocaleString(S.lang === "km" ? "km-KH" : "en-GB") : T("app-never");
    view.appendChild(el("p", { class: "help", id: "last-sync", text: T("app-last-sync", { when: when }) }));
    var send = el("button", { id: "send-now", class: "primary", type: "button", text: T("app-send-now"), onclick: function () { sync(); } });
    view.appendChild(el("p", { class: "actions" }, [send, el("a", { class: "button", href: "#/form/register/new", text: T("app-register") })]));
    var box = el("section", { id: "outbox", "aria-labelledby": "outbox-h" });
    view.appendChild(box);
    outboxItems().then(function (items) {
      var waiting = items.filter(function (i) { return i.state !== "needs"; });
      var needs = items.filter(function (i) { return i.state === "needs"; });
      box.appendChild(el("h2", { id: "outbox-h", text: T("app-waiting", { n: waiting.length }) }));
      if (!waiting.length) box.appendChild(el("p", { class: "empty", text: T("app-nothing-waiting") }));
      else box.appendChild(el("ul", { class: "outbox" }, waiting.map(function (i) {
        return el("li", { class: "waiting", text: i.label + (i.state === "photo" ? " · " + T("app-photo-sending") : "") });
      })));
      if (needs.length || S.conflicts.length) {
        var dec = el("section", { id: "decisions" }, [el("h2", { text: T("app-needs-decision") })]);
        needs.forEach(function (i) {
          dec.appendChild(el("div", { class: "notice error needs" }, [
            el("p", { text: i.label }),
            el("ul", {}, i.errors.map(function (e) { return el("li", { text: e.message }); })),
            el("button", { type: "button", text: T("app-discard"), onclick: function () {
              if (confirm(T("app-discard-confirm"))) del("outbox", i.rowId).then(countUnsent).then(render);
            } })
          ]));
        });
        S.conflicts.forEach(function (c) {
          dec.appendChild(el("div", { class: "notice conflict-item" }, [
            el("p", { text: c.child_name + " · " + c.field }),
            el("p", { text: T("app-conflict-values", { server: c.server || "—", device: c.device || "—" }) }),
            el("a", { href: "/conflicts", class: "button", text: T("app-decide") })
          ]));
        });
        view.insertBefore(dec, box);
      }
      return doneItems();
    }).then(function (done) {
      if (!done.length) return;
      view.appendChild(el("section", { id: "accepted" }, [
        el("h2", { text: T("app-accepted") }),
        el("ul", {}, done.map(function (d) {
          var li = el("li", { text: d.label + " · " + T("app-outcome-" + d.outcome) + (d.notice ? " · " + d.notice : "") });
          if (d.link) li.appendChild(el("a", { href: d.link, text: " " + T("app-open") }));
          return li;
        }))
      ]));
    });
    var kids = Object.keys(S.children).map(function (k) { return S.children[k]; });
    kids.sort(function (a, b) { return a.name.localeCompare(b.name, S.lang); });
    var list = el("section", { id: "carried" }, [el("h2", { text: T("app-carried", { n: kids.length }) })]);
    if (!kids.length) list.appendChild(el("p", { class: "empty", text: T("app-nothing-carried") }));
    list.appendChild(el("ul", { class: "cards" }, kids.map(function (c) {
      var due = c.case && c.case.next_visit ? " · " + T("app-next-visit", { when: c.case.next_visit[1] }) : "";
      return el("li", {}, [el("a", { href: "#/child/" + c.id, text: c.name }), el("span", { class: "help", text: " " + c.case_number + " · " + c.place + due })]);
    })));
    view.appendChild(list);
  }

  function renderChild(view, c) {
    title(c.name);
    view.appendChild(el("p", {}, [el("a", { href: "#/", text: "← " + T("app-home-title") })]));
    var facts = [[T("app-case-number"), c.case_number], [T("app-other-name"), c.other_name], [T("app-sex"), c.sex], [T("app-age"), c.age], [T("app-place"), c.place || "—"]];
    if (c.case) {
      facts.push([T("app-stage"), c.case.stage]);
      facts.push([T("app-risk"), c.case.risk || "—"]);
      facts.push([T("app-next-visit-label"), c.case.next_visit ? c.case.next_visit[1] : "—"]);
    }
    view.appendChild(el("dl", { class: "facts" }, facts.map(function (f) { return el("div", {}, [el("dt", { text: f[0] }), el("dd", { text: f[1] })]); })));
    var buttons = [];
    if (c.case && !c.case.closed) {
      ["visit", "note", "csi", "tracing-attempt"].forEach(function (k) {
        if (S.forms && S.forms[k]) buttons.push(el("a", { class: "button" + (k === "visit" ? " primary" : ""), href: "#/form/" + k + "/" + c.id, text: S.forms[k].title }));
      });
    }
    if (S.forms && S.forms["child-edit"]) buttons.push(el("a", { class: "button", href: "#/form/child-edit/" + c.id, text: S.forms["child-edit"].title }));
    view.appendChild(el("p", { class: "actions" }, buttons));
    if (!c.case) view.appendChild(el("p", { class: "help", text: T("app-no-case") }));
    if (c.tasks && c.tasks.length) {
      view.appendChild(el("h2", { text: T("app-tasks") }));
      view.appendChild(el("ul", { class: "tasks" }, c.tasks.map(function (t) {
        return el("li", {}, [t.title + " · " + t.due + " ", el("button", { type: "button", text: T("app-task-done"), onclick: function () {
          var today = new Date().toISOString().slice(0, 10);
          record("task-done", c.id, { task: t.id, done_on: today }, { label: c.name + " · " + T("app-task-done") + ": " + t.title })
            .then(function () { show("notice", T("app-saved")); go("#/"); });
        } })]);
      })));
    }
    if (c.recent && c.recent.length) {
      view.appendChild(el("h2", { text: T("app-recent") }));
      view.appendChild(el("ol", { class: "timeline" }, c.recent.map(function (e) {
        return el("li", {}, [el("strong", { text: e.on + " · " + e.what }), e.by ? " · " + e.by : "",
          el("ul", {}, (e.lines || []).map(function (l) { return el("li", { text: l }); }))]);
      })));
    }
  }

  function input(f, value) {
    var id = "f-" + f.name;
    var wrap = el("div", { class: "field" });
    var control;
    if (f.type === "radio") {
      wrap = el("fieldset", { class: "field radios" }, [el("legend", { text: f.label })]);
      f.options.forEach(function (o, i) {
        var r = el("input", { type: "radio", name: f.name, value: o[0], id: id + "-" + i });
        if (value === o[0]) r.checked = true;
        wrap.appendChild(el("label", { class: "check", for: id + "-" + i }, [r, " " + o[1]]));
      });
      return wrap;
    }
    if (f.type === "check") {
      control = el("input", { type: "checkbox", name: f.name, id: id, value: "1" });
      if (value === "1" || value === "true" || value === "on") control.checked = true;
      return el("div", { class: "field" }, [el("label", { class: "check", for: id }, [control, " " + f.label])]);
    }
    if (f.type === "select") {
      control = el("select", { name: f.name, id: id }, f.options.map(function (o) { return el("option", { value: o[0], text: o[1] }); }));
      control.value = value || (f.options[0] ? f.options[0][0] : "");
    } else if (f.type === "area") {
      control = el("textarea", { name: f.name, id: id, rows: "3" });
      control.value = value || "";
    } else {
      control = el("input", { name: f.name, id: id, type: f.type === "date" ? "date" : "text" });
      control.value = value || "";
    }
    wrap.appendChild(el("label", { for: id, text: f.label }));
    if (f.hint) wrap.appendChild(el("p", { class: "help", text: f.hint }));
    wrap.appendChild(control);
    return wrap;
  }

  function readForm(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (e) {
      if (!e.name || e.type === "file") return;
      if (e.type === "radio") { if (e.checked) out[e.name] = e.value; return; }
      if (e.type === "checkbox") { if (e.checked) out[e.name] = "1"; return; }
      out[e.name] = e.value;
    });
    return out;
  }

  // A photo made small enough for a 2G line: at most 1280 pixels, JPEG.
  function shrink(file) {
    return new Promise(function (ok, fail) {
      var img = new Image(), url = URL.createObjectURL(file);
      img.onload = function () {
        var scale = Math.min(1, 1280 / Math.max(img.width, img.height));
        var c = document.createElement("canvas");
        c.width = Math.round(img.width * scale); c.height = Math.round(img.height * scale);
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(url);
        c.toBlob(function (b) { b.arrayBuffer().then(ok, fail); }, "image/jpeg", 0.7);
      };
      img.onerror = function () { URL.revokeObjectURL(url); fail(new Error("not an image")); };
      img.src = url;
    });
  }

  function renderForm(view, kind, childId) {
    var def = S.forms[kind];
    var c = S.children[childId];
    if (!def || (kind !== "register" && !c)) return renderHome(view);
    title(def.title + (c ? " · " + c.name : ""));
    view.appendChild(el("p", {}, [el("a", { href: c ? "#/child/" + c.id : "#/", text: "← " + (c ? c.name : T("app-home-title")) })]));
    var today = new Date().toISOString().slice(0, 10);
    var values = {};
    (def.today || []).forEach(function (n) { values[n] = today; });
    if (kind === "child-edit") values = c.values;
    var form = el("form", { class: "offline-form", id: "offline-form" });
    def.groups.forEach(function (g) {
      var fs = el("fieldset", {}, g.legend ? [el("legend", { text: g.legend })] : []);
      g.fields.forEach(function (f) { fs.appendChild(input(f, values[f.name])); });
      form.appendChild(fs);
    });
    var photo = null;
    if (kind === "visit" || kind === "note" || kind === "tracing-attempt") {
      photo = el("input", { type: "file", id: "f-photo", accept: "image/*", capture: "environment" });
      form.appendChild(el("div", { class: "field" }, [el("label", { for: "f-photo", text: T("app-photo") }), photo]));
    }
    form.appendChild(el("p", { class: "help", text: T("app-saved-help") }));
    form.appendChild(el("button", { class: "primary", type: "submit", text: T("app-save") }));
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var fields = readForm(form), extra = { label: (c ? c.name + " · " : "") + def.title };
      if (kind === "child-edit") {
        var changed = {}, base = {};
        Object.keys(fields).forEach(function (k) {
          if ((fields[k] || "").trim() !== (c.values[k] || "")) { changed[k] = fields[k]; base[k] = c.values[k] || ""; }
        });
        if (!Object.keys(changed).length) { go("#/child/" + c.id); return; }
        fields = changed; extra.base = base;
      }
      if (kind === "register") extra.label = def.title + " · " + [fields.family_name_km, fields.given_name_km, fields.given_name_latin].filter(Boolean).join(" ");
      var file = photo && photo.files && photo.files[0];
      var p = file ? shrink(file).then(function (buf) { extra.photo = { name: "photo.jpg", data: b64(buf) }; }) : Promise.resolve();
      p.then(function () { return record(kind, c ? c.id : null, fields, extra); }).then(function () {
        show("notice", T("app-saved")); go("#/");
      });
    });
    view.appendChild(form);
  }

  // ---------- start ----------
  function start() {
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(function () { /* served over plain http */ });
    window.addEventListener("online", function () { status(); sync(); });
    window.addEventListener("offline", status);
    window.addEventListener("hashchange", render);
    setInterval(function () { if (navigator.onLine) sync(); }, 5 * 60 * 1000);
    return openDb().then(function (db) {
      S.db = db;
      return get("meta", "texts");
    }).then(function (t) {
      if (t) { S.texts = t.texts; S.lang = t.lang; }
      document.documentElement.lang = S.lang;
      return navigator.onLine ? loadTexts().catch(function () { return null; }) : null;
    }).then(function () {
      document.documentElement.lang = S.lang;
      return get("meta", "device");
    }).then(function (d) {
      S.device = d || null;
      if (!S.device) return render();
      var online = navigator.onLine && S.signedIn ? unlockOnline() : Promise.reject(new Refused("offline"));
      return online.then(expireIfStale).then(loadLocal).then(render).then(sync).catch(function (e) {
        if (e instanceof Refused && e.kind === "revoked") return;
        S.locked = true; render();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
