// The offline app's keys (WebCrypto). The copy on the device is encrypted with the device's data
// key (AES-GCM); every sealed value is bound to where it is kept (its store, id and stamp, as
// associated data), so a row moved to another place, or given another stamp, does not open. The
// data key is kept on the device only wrapped with a key derived from the owner's password
// (PBKDF2-SHA-256, 600,000 rounds, as OWASP asks), re-made with the password just typed at every
// unlock the server confirms, and marked with the time of the password it was made with, so a
// wrapping older than the last password change is dropped as soon as the device hears of it.
(function () {
  "use strict";

  // OWASP's figure for PBKDF2-HMAC-SHA-256. Kept with each wrapping, so a wrapping made with
  // fewer rounds by an older version still opens, and is re-made at the next online unlock.
  var PBKDF2_ROUNDS = 600000;
  var OLD_ROUNDS = 210000;
  var te = new TextEncoder();
  var td = new TextDecoder();

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

  // The device's own secret, made here and never shown: it proves to the server that a request
  // comes from this device, not from another browser of the same person.
  function newSecret() {
    return b64(crypto.getRandomValues(new Uint8Array(32))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function dataKey(secret) {
    return crypto.subtle.digest("SHA-256", te.encode(secret)).then(function (raw) {
      return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    });
  }
  function passwordKey(password, salt, rounds) {
    return crypto.subtle.importKey("raw", te.encode(password), "PBKDF2", false, ["deriveKey"]).then(function (base) {
      return crypto.subtle.deriveKey({ name: "PBKDF2", salt: salt, iterations: rounds, hash: "SHA-256" }, base,
        { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
    });
  }

  // Wrap the data key `secret` with `password`: what the device keeps to open offline.
  function wrap(secret, password, epoch) {
    var salt = crypto.getRandomValues(new Uint8Array(16));
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return passwordKey(password, salt, PBKDF2_ROUNDS).then(function (pk) {
      return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv, additionalData: te.encode("wrap:" + (epoch || "")) }, pk, te.encode(secret));
    }).then(function (data) {
      return { salt: salt, rounds: PBKDF2_ROUNDS, iv: iv, data: data, epoch: epoch || "" };
    });
  }
  // The data key from a wrapping and the password; rejects for a wrong password. A wrapping of
  // an older version ({salt, wrapped}) opens too.
  function unwrap(device, password) {
    var w = device.wrap;
    if (!w && device.wrapped) w = { salt: device.salt, rounds: OLD_ROUNDS, iv: device.wrapped.iv, data: device.wrapped.data, legacy: true };
    if (!w) return Promise.reject(new Error("no wrapping"));
    return passwordKey(password, w.salt, w.rounds).then(function (pk) {
      var alg = { name: "AES-GCM", iv: w.iv };
      if (!w.legacy) alg.additionalData = te.encode("wrap:" + w.epoch);
      return crypto.subtle.decrypt(alg, pk, w.data);
    }).then(function (secret) { return td.decode(secret); });
  }

  function seal(key, obj, ad) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv, additionalData: te.encode(ad) }, key, te.encode(JSON.stringify(obj)))
      .then(function (data) { return { iv: iv, data: data }; });
  }
  // `ad` null: a value an older version sealed with no place bound to it.
  function unseal(key, rec, ad) {
    var alg = { name: "AES-GCM", iv: rec.iv };
    if (ad !== null) alg.additionalData = te.encode(ad);
    return crypto.subtle.decrypt(alg, key, rec.data)
      .then(function (b) { return JSON.parse(td.decode(b)); });
  }

  // Proof that the device holds `secret` (the data key), for the server to destroy the key its
  // copy was sealed with before: SHA-256 of a label and the key, never the key's own SHA-256
  // (which is the AES key itself).
  function rekeyProof(secret) {
    return crypto.subtle.digest("SHA-256", te.encode("krousar-rekeyed:" + secret)).then(function (h) {
      return Array.prototype.map.call(new Uint8Array(h), function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    });
  }

  // Where a sealed value is kept, as its associated data.
  function rowAd(store, row) {
    if (store === "children") return "children:" + row.id + ":" + row.stamp;
    if (store === "meta") return "meta:" + row.k;
    return store + ":" + row.id + ":" + row.at;
  }

  window.KrousarKeys = {
    b64: b64, unb64: unb64, newSecret: newSecret, dataKey: dataKey, wrap: wrap, unwrap: unwrap,
    seal: seal, unseal: unseal, rowAd: rowAd, rekeyProof: rekeyProof, ROUNDS: PBKDF2_ROUNDS
  };
})();
