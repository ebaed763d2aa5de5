// Krousar's offline app: notices pushed to this phone (web push). Its owner turns them on with a
// tap (the browser asks for permission only after one); the subscription is sent for this device
// alone and ends with it. A push says only what kind of thing happened and how many; the service
// worker (sw.js) shows it and a tap opens the notice, which needs sign-in.
(function () {
  "use strict";
  var K = window.KrousarOffline;
  var S = K.S, T = K.T;

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function bytes(b64url) {
    var s = b64url.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(s + "===".slice((s.length + 3) % 4));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  // The box at the end of the day's list: notices on or off for this phone. Its state is asked
  // once per opening of the copy (`S.push`), not at every drawing.
  function box(view) {
    if (!supported() || !S.device || S.locked) return;
    var section = K.ui.el("section", { id: "push", "aria-labelledby": "push-h" });
    view.appendChild(section);
    var state = S.push ? Promise.resolve(S.push) : navigator.onLine ? K.api("/web-push").then(current) : Promise.reject(new Error("offline"));
    state.then(function (st) { S.push = st; draw(section, st); }, function () { section.remove(); });
  }

  function draw(section, st) {
    var el = K.ui.el;
    section.textContent = "";
    section.appendChild(el("h2", { id: "push-h", text: T("app-push-title") }));
    var said = el("p", { class: "help", role: "status", text: st.on ? T("app-push-is-on") : T("app-push-help") });
    var button = el("button", { type: "button", id: st.on ? "push-off" : "push-on", text: st.on ? T("app-push-off") : T("app-push-on") });
    button.addEventListener("click", function () {
      button.disabled = true;
      (st.on ? off() : on(st.public_key)).then(function (now) {
        S.push = { on: now, public_key: st.public_key };
        draw(section, S.push);
      }, function (e) {
        button.disabled = false;
        said.textContent = e && e.denied ? T("app-push-denied") : T("app-push-failed");
      });
    });
    section.appendChild(said);
    section.appendChild(el("p", { class: "actions" }, [button]));
  }

  // At each opening, the server is given the browser's subscription as it is now (a browser
  // may renew it); one the browser no longer has is shown as off.
  function current(st) {
    if (!st.on) return st;
    return navigator.serviceWorker.ready.then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (sub) {
      if (!sub) return { on: false, public_key: st.public_key };
      return K.api("/web-push", { method: "PUT", json: sub.toJSON() }).then(function () { return st; }, function () { return st; });
    });
  }

  function on(key) {
    return Notification.requestPermission().then(function (answer) {
      if (answer !== "granted") { var e = new Error("denied"); e.denied = true; throw e; }
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      return reg.pushManager.getSubscription().then(function (old) {
        return old || reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes(key) });
      });
    }).then(function (sub) {
      return K.api("/web-push", { method: "PUT", json: sub.toJSON() });
    }).then(function () { return true; });
  }

  function off() {
    return K.api("/web-push", { method: "DELETE" }).then(forget).then(function () { return false; });
  }

  // The browser's own subscription ends too (wiping the copy, signing out): a push service then
  // answers "gone" to the server, which forgets it, even for a device not revoked.
  function forget() {
    if (!supported()) return Promise.resolve();
    return navigator.serviceWorker.getRegistration().then(function (reg) {
      return reg && reg.pushManager.getSubscription();
    }).then(function (sub) { return sub && sub.unsubscribe(); }).catch(function () { /* nothing to end */ });
  }

  K.push = { box: box, forget: forget };
})();
