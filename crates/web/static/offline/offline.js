// Krousar's offline app, its screens: set-up, unlock, the day's list (what waits to be sent,
// what needs a decision, what was accepted, the cases carried), a child, and the forms (the
// pages' own, sent by the server). It carries the worker's cases on the device, records visits,
// notes, assessments, tasks done, tracing attempts, corrections and new registrations with no
// network, and sends them when a line comes back. The data side is offline-data.js.
(function () {
  "use strict";
  var K = window.KrousarOffline;
  var S = K.S, T = K.T, Refused = K.Refused;
  var get = K.get, del = K.del, all = K.all, unsealRow = K.unsealRow, record = K.record, sync = K.sync;

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
  // The heading names the child; the window's title never does: it stays in the browser's
  // history after signing out, which no wipe clears.
  function title(t) { document.getElementById("title").textContent = t; document.title = "Krousar"; }
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
    if (route[0] === "form" && S.forms) return K.forms.renderForm(view, route[1], route[2]);
    if (route[0] === "fix" && S.forms) return K.forms.renderFix(view, route[1]);
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
      K.enrol(name.value, pw.value).then(function () { return sync(); }).catch(function (x) {
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
      K.unlock(pw.value).then(K.expireIfStale).then(K.loadLocal).then(render).then(sync).catch(function (x) {
        if (x instanceof Refused && x.kind === "revoked") return;
        var said = x && x.body && x.body.error && ((x.body.error.fields || [])[0] || x.body.error).message;
        err.textContent = x instanceof Refused && x.kind === "password-changed" ? T("app-password-changed") : said || T("app-wrong-password");
      });
    });
    view.appendChild(form);
  }

  function outboxItems() {
    return all("outbox").then(function (rows) {
      rows.sort(function (a, b) { return a.at - b.at; });
      return Promise.all(rows.map(function (r) {
        return unsealRow("outbox", r).then(function (i) { i.rowId = r.id; return i; }, function () { return null; });
      })).then(function (items) {
        var opened = items.filter(Boolean);
        opened.unreadable = items.length - opened.length;
        return opened;
      });
    });
  }
  function doneItems() {
    return all("done").then(function (rows) {
      rows.sort(function (a, b) { return b.at - a.at; });
      return Promise.all(rows.slice(0, 20).map(function (r) { return unsealRow("done", r).catch(function () { return null; }); }))
        .then(function (items) { return items.filter(Boolean); });
    });
  }

  function renderHome(view) {
    title(T("app-home-title"));
    var when = S.lastSync ? K.when(S.lastSync) : T("app-never");
    view.appendChild(el("p", { class: "help", id: "last-sync", text: T("app-last-sync", { when: when }) }));
    var send = el("button", { id: "send-now", class: "primary", type: "button", text: T("app-send-now"), onclick: function () { sync(); } });
    view.appendChild(el("p", { class: "actions" }, [send, el("a", { class: "button", href: "#/form/register/new", text: T("app-register") })]));
    var box = el("section", { id: "outbox", "aria-labelledby": "outbox-h" });
    view.appendChild(box);
    outboxItems().then(function (items) {
      var waiting = items.filter(function (i) { return i.state !== "needs"; });
      var needs = items.filter(function (i) { return i.state === "needs"; });
      box.appendChild(el("h2", { id: "outbox-h", text: T("app-waiting", { n: waiting.length }) }));
      // Work this device cannot open (sealed with a key it no longer has) is said, never hidden.
      if (items.unreadable) box.appendChild(el("p", { class: "notice error", id: "unreadable", text: T("app-unreadable", { n: items.unreadable }) }));
      if (!waiting.length && !items.unreadable) box.appendChild(el("p", { class: "empty", text: T("app-nothing-waiting") }));
      else box.appendChild(el("ul", { class: "outbox" }, waiting.map(function (i) {
        return el("li", { class: "waiting", text: i.label + (i.state === "photo" ? " · " + T("app-photo-sending") : "") });
      })));
      if (needs.length || S.conflicts.length) {
        var dec = el("section", { id: "decisions" }, [el("h2", { text: T("app-needs-decision") })]);
        needs.forEach(function (i) {
          dec.appendChild(el("div", { class: "notice error needs" }, [
            el("p", { text: i.label }),
            el("ul", {}, i.errors.map(function (e) { return el("li", { text: e.message }); })),
            el("a", { class: "button primary", href: "#/fix/" + i.rowId, text: T("app-correct") }), " ",
            el("button", { type: "button", text: T("app-discard"), onclick: function () {
              if (confirm(T("app-discard-confirm"))) del("outbox", i.rowId).then(K.countUnsent).then(render);
            } })
          ]));
        });
        S.conflicts.forEach(function (c) {
          dec.appendChild(el("div", { class: "notice conflict-item" }, [
            el("p", { text: c.child_name + " · " + (c.field_label || c.field) }),
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
      var flags = (c.flags || []).map(function (f) { return el("span", { class: "flag", text: " ⚑ " + f.kind }); });
      return el("li", {}, [el("a", { href: "#/child/" + c.id, text: c.name })].concat(flags, [el("span", { class: "help", text: " " + c.case_number + " · " + c.place + due })]));
    })));
    view.appendChild(list);
    if (K.push) K.push.box(view);
  }

  function renderChild(view, c) {
    title(c.name);
    view.appendChild(el("p", {}, [el("a", { href: "#/", text: "← " + T("app-home-title") })]));
    // The small profile photo the copy carries: the worker knows the child at the door.
    if (c.photo && c.photo.indexOf("data:image/jpeg;base64,") === 0) {
      view.appendChild(el("img", { class: "profile-photo", src: c.photo, alt: c.name, width: "160" }));
    }
    // The flags still up come first: what a worker must know before knocking on the door.
    if (c.flags && c.flags.length) {
      view.appendChild(el("section", { class: "flags-box" }, c.flags.map(function (f) {
        return el("p", { class: "flag-line" }, [el("strong", { class: "flag", text: "⚑ " + f.kind }), " " + f.reason + (f.until ? " · " + f.until : "")]);
      })));
    }
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
      // The organisation's own forms, after the built-in ones.
      Object.keys(S.forms || {}).filter(function (k) { return k.indexOf("custom:") === 0; }).forEach(function (k) {
        buttons.push(el("a", { class: "button", href: "#/form/" + k + "/" + c.id, text: S.forms[k].title }));
      });
    }
    if (S.forms && S.forms.flag) buttons.push(el("a", { class: "button", href: "#/form/flag/" + c.id, text: S.forms.flag.title }));
    if (S.forms && S.forms["profile-photo"]) buttons.push(el("a", { class: "button", href: "#/form/profile-photo/" + c.id, text: S.forms["profile-photo"].title }));
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

  // ---------- start ----------
  function start() {
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(function () { /* served over plain http */ });
    window.addEventListener("online", function () { status(); sync(); });
    window.addEventListener("offline", status);
    window.addEventListener("hashchange", render);
    setInterval(function () { if (navigator.onLine) sync(); }, 5 * 60 * 1000);
    watchIdle();
    return K.openDb().then(function (db) {
      S.db = db;
      return Promise.all([get("meta", "texts"), get("meta", "device")]);
    }).then(function (found) {
      var t = found[0];
      if (t) { S.texts = t.texts; S.lang = t.lang; }
      S.device = found[1] || null;
      document.documentElement.lang = S.lang;
      return navigator.onLine ? K.loadTexts().catch(function () { return null; }) : null;
    }).then(function () {
      // Every opening asks for the password: only its owner opens the copy, online or not.
      document.documentElement.lang = S.lang;
      S.locked = true;
      render();
    });
  }

  // Locked after a while without a touch: a phone left on a table shows no child.
  function watchIdle() {
    var last = Date.now();
    ["pointerdown", "keydown", "touchstart"].forEach(function (ev) {
      document.addEventListener(ev, function () { last = Date.now(); }, { passive: true });
    });
    function check() {
      var minutes = (S.device && S.device.idle_minutes) || 15;
      if (!S.locked && S.key && Date.now() - last > minutes * 60000) K.lock("app-locked-idle");
    }
    setInterval(check, 20000);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) check(); });
  }

  // What the forms (offline-forms.js) draw with.
  K.ui = { el: el, show: show, go: go, title: title, renderHome: renderHome };
  K.hooks.render = render;
  // After a sync the day's list and a child's page are drawn again with what arrived. A form
  // being filled in stays as it is: drawing it again would lose what was typed (and a chosen
  // photo), so only the network line changes.
  K.hooks.refresh = function () {
    if (S.device && !S.locked && /^#\/?(form|fix)\//.test(location.hash)) return status();
    render();
  };
  K.hooks.notice = function (text, href) { show("notice", text, href); };
  K.hooks.status = status;
  document.addEventListener("DOMContentLoaded", start);
})();
