// The offline app's device: enrolment, unlocking with the password, and what follows from the
// server's answer — the key wrapped again with the password just typed, a copy re-sealed after a
// password reset, a wrapping dropped when the password changed, a copy past its days forgotten.
// Every opening asks for the password: with a network the server checks it (an old password is
// refused there, whatever the phone keeps) and releases the key; with none, the wrapping kept
// on the device opens it. Loaded after offline-data.js, whose parts it uses.
(function () {
  "use strict";
  var K = window.KrousarOffline, KK = window.KrousarKeys;
  var S = K.S, T = K.T, hooks = K.hooks, Refused = K.Refused;
  var put = K.put, get = K.get, del = K.del, all = K.all, clear = K.clear, api = K.api;

  function saveDevice() { return put("meta", S.device); }

  // Keep the data key wrapped with the password just typed (the server confirmed it).
  function rewrap(secret, password, r) {
    return KK.wrap(secret, password, r.password_epoch).then(function (w) {
      S.device.wrap = w; delete S.device.wrapped; delete S.device.salt;
      S.device.offline_days = r.offline_days; S.device.idle_minutes = r.idle_minutes;
      if (r.user_name) S.device.user_name = r.user_name;
      return saveDevice();
    });
  }

  function enrol(name, password) {
    var secret = KK.newSecret();
    return api("/devices", { json: { name: name, password: password, secret: secret } }).then(function (r) {
      S.device = { k: "device", id: r.device.id, name: r.device.name, secret: secret, user_name: S.userName, bound: true };
      return rewrap(r.key, password, r).then(function () { return KK.dataKey(r.key); });
    }).then(function (k) { S.key = k; S.locked = false; S.stamps = {}; });
  }

  // The password typed on the device opens the copy: the server checks it and releases the key
  // when there is a network (an old password is refused there, whatever the phone keeps); with
  // no network the wrapping kept here opens it.
  function unlock(password) {
    if (!navigator.onLine) return unlockOffline(password);
    return K.loadTexts().catch(function () { return null; }).then(function () {
      return unlockOnline(password);
    }).catch(function (e) {
      if (e instanceof Refused && e.kind === "network") return unlockOffline(password);
      throw e;
    });
  }
  function unlockOnline(password) {
    if (!S.device.secret) { S.device.secret = KK.newSecret(); }
    var fresh;
    return saveDevice().then(function () {
      return fetch("/api/v1/sync/unlock", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-Krousar-Device": S.device.id, "X-Krousar-Device-Secret": S.device.secret, "X-CSRF-Token": S.csrf },
        body: JSON.stringify({ password: password })
      }).catch(function () { throw new Refused("network"); });
    }).then(function (res) {
      if (res.status === 410) return K.wipe("app-revoked").then(function () { throw new Refused("revoked"); });
      return res.json().then(function (j) {
        if (res.status === 403) { var n = new Refused("not-yours"); n.body = j; throw n; }
        if (!res.ok) {
          var e = new Refused("wrong"); e.body = j;
          // Refused, but told when the password last changed: a wrapping older than that goes.
          return dropStaleWrapping(j.password_epoch).then(function () { throw e; });
        }
        fresh = j;
        return KK.dataKey(j.key);
      });
    }).then(function (k) {
      S.key = k;
      return fresh.previous_key ? KK.dataKey(fresh.previous_key) : null;
    }).then(function (old) {
      return reseal(S.key, old).then(function (unreadable) {
        // The new wrapping first: if the line drops before the server hears of it, the phone
        // already opens with the new password only.
        return rewrap(fresh.key, password, fresh).then(function () {
          if (unreadable) return null;
          S.device.bound = true;
          return saveDevice().then(function () {
            if (!old) return null;
            return KK.rekeyProof(fresh.key).then(function (proof) { return api("/rekeyed", { json: { key_hash: proof } }); });
          });
        });
      });
    }).then(function () {
      S.locked = false;
      if (fresh.expired) return forgetCarried();
    });
  }
  function unlockOffline(password) {
    return KK.unwrap(S.device, password).then(KK.dataKey).then(function (k) { S.key = k; S.locked = false; }, function () {
      var e = new Refused(S.device.wrap || S.device.wrapped ? "wrong" : "password-changed");
      throw e;
    });
  }

  // Every sealed row ends up sealed with the key `key` and bound to its place: a row sealed with
  // the previous key (after a password reset), or by an older version with no place bound to it,
  // is sealed again. Answers how many rows opened with neither key: while there are any, the
  // server keeps the previous key (nothing is ever counted as done that was not).
  function reseal(key, old) {
    var stores = ["children", "outbox", "done", "meta"];
    var legacy = !S.device.bound;
    var unreadable = 0;
    if (!old && !legacy) return Promise.resolve(0);
    function open(r, ad) {
      var tries = [[key, ad]];
      if (old) tries.push([old, ad]);
      if (legacy) { if (old) tries.push([old, null]); tries.push([key, null]); }
      return tries.reduce(function (p, t, i) {
        return p.catch(function () { return KK.unseal(t[0], r.enc, t[1]).then(function (v) { return { v: v, again: i > 0 }; }); });
      }, Promise.reject(null));
    }
    return Promise.all(stores.map(function (store) {
      return all(store).then(function (rows) {
        return Promise.all(rows.filter(function (r) { return r.enc; }).map(function (r) {
          return open(r, KK.rowAd(store, r)).then(function (o) {
            return o.again ? K.putSealed(store, r, o.v) : null;
          }, function () { unreadable += 1; });
        }));
      });
    })).then(function () { return unreadable; });
  }

  // The password was changed since the wrapping was made: it must no longer open the copy.
  function dropStaleWrapping(epoch) {
    // An older version's wrapping knows no time: it is as old as "never changed".
    var made = S.device && (S.device.wrap ? S.device.wrap.epoch : S.device.wrapped ? "" : null);
    if (!S.device || epoch === undefined || made === null || made === epoch) return Promise.resolve();
    delete S.device.wrap; delete S.device.wrapped; delete S.device.salt;
    return saveDevice();
  }

  // The carried cases go (they come again at the next sync); work waiting to be sent stays.
  function forgetCarried() {
    var days = (S.device && S.device.offline_days) || 14;
    return Promise.all([clear("children"), clear("done"), del("meta", "conflicts"), del("meta", "sync")]).then(function () {
      S.lastSync = null; S.stamps = {}; hooks.notice(T("app-expired", { days: days }));
    });
  }

  // The time of the last sync and the stamps of the rows it brought are sealed, so neither can
  // be turned back unseen.
  function expireIfStale() {
    return get("meta", "sync").then(function (m) {
      return m && m.enc ? K.unsealRow("meta", m).catch(function () { return null; }) : null;
    }).then(function (m) {
      S.lastSync = m ? m.at : null; S.stamps = m ? m.stamps || {} : {};
      var days = (S.device && S.device.offline_days) || 14;
      if (m && Date.now() - m.at > days * 86400000) return forgetCarried();
    });
  }

  K.enrol = enrol; K.unlock = unlock; K.expireIfStale = expireIfStale; K.dropStaleWrapping = dropStaleWrapping;
})();
