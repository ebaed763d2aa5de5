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
    if (route[0] === "form" && S.forms) return renderForm(view, route[1], route[2]);
    if (route[0] === "fix" && S.forms) return renderFix(view, route[1]);
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
      })).then(function (items) { return items.filter(Boolean); });
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
            el("a", { class: "button primary", href: "#/fix/" + i.rowId, text: T("app-correct") }), " ",
            el("button", { type: "button", text: T("app-discard"), onclick: function () {
              if (confirm(T("app-discard-confirm"))) del("outbox", i.rowId).then(K.countUnsent).then(render);
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

  // A village picked province → district → commune → village from the provinces the device
  // carries. A value outside them is kept as it is until another is picked.
  function placePicker(f, value, said) {
    var wrap = el("fieldset", { class: "field place" + (said ? " invalid" : "") }, [el("legend", { text: f.label }), said]);
    var hidden = el("input", { type: "hidden", name: f.name, id: "f-" + f.name, value: value || "" });
    var sels = [0, 1, 2, 3].map(function (i) { return el("select", { id: "f-" + f.name + "-" + i }); });
    function itemsAt(i) {
      if (i === 0) return S.places || [];
      var parent = itemsAt(i - 1).filter(function (x) { return x[0] === sels[i - 1].value; })[0];
      return parent ? parent[2] || [] : [];
    }
    function fill(i, chosen) {
      var sel = sels[i];
      sel.textContent = "";
      sel.appendChild(el("option", { value: "", text: "—" }));
      itemsAt(i).forEach(function (x) { sel.appendChild(el("option", { value: x[0], text: x[1] })); });
      sel.value = chosen || "";
    }
    var start = value ? [value.slice(0, 2), value.slice(0, 4), value.slice(0, 6), value] : ["", "", "", ""];
    sels.forEach(function (sel, i) {
      fill(i, start[i]);
      var id = sel.id;
      wrap.appendChild(el("div", { class: "field" }, [el("label", { for: id, text: (f.levels || [])[i] || "" }), sel]));
      sel.addEventListener("change", function () {
        for (var j = i + 1; j < 4; j++) fill(j, "");
        hidden.value = sels[3].value;
      });
    });
    wrap.appendChild(hidden);
    return wrap;
  }

  // One field of a form, with the server's message next to it when it was refused.
  function input(f, value, error) {
    var id = "f-" + f.name;
    var wrap = el("div", { class: "field" + (error ? " invalid" : "") });
    var control;
    var said = error ? el("p", { class: "error-text", id: id + "-error", text: error }) : null;
    if (f.type === "place") return placePicker(f, value, said);
    if (f.type === "radio") {
      wrap = el("fieldset", { class: "field radios" + (error ? " invalid" : "") }, [el("legend", { text: f.label }), said]);
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
      return el("div", { class: "field" }, [el("label", { class: "check", for: id }, [control, " " + f.label]), said]);
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
    if (said) { wrap.appendChild(said); control.setAttribute("aria-invalid", "true"); control.setAttribute("aria-describedby", id + "-error"); }
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

  // A change the server refused, opened again in its form with the messages by its fields.
  function renderFix(view, rowId) {
    get("outbox", rowId).then(function (row) {
      if (!row) return go("#/");
      return unsealRow("outbox", row).then(function (item) {
        view.textContent = "";
        renderForm(view, item.change.kind, item.change.child, { row: row, item: item });
      });
    });
  }

  function renderForm(view, kind, childId, fix) {
    var def = S.forms[kind];
    var c = kind === "register" ? null : S.children[childId];
    if (!def || (kind !== "register" && !c)) return renderHome(view);
    title(def.title + (c ? " · " + c.name : ""));
    view.appendChild(el("p", {}, [el("a", { href: c ? "#/child/" + c.id : "#/", text: "← " + (c ? c.name : T("app-home-title")) })]));
    var today = new Date().toISOString().slice(0, 10);
    var values = {};
    (def.today || []).forEach(function (n) { values[n] = today; });
    if (kind === "child-edit") values = c.values;
    var errors = {};
    if (fix) {
      values = Object.assign({}, kind === "child-edit" ? c.values : {}, fix.item.change.fields);
      fix.item.errors.forEach(function (e) { errors[e.field] = e.message; });
      var general = fix.item.errors.filter(function (e) { return !def.groups.some(function (g) { return g.fields.some(function (f) { return f.name === e.field; }); }); });
      if (general.length) view.appendChild(el("ul", { class: "notice error" }, general.map(function (e) { return el("li", { text: e.message }); })));
    }
    var form = el("form", { class: "offline-form", id: "offline-form" });
    def.groups.forEach(function (g) {
      var fs = el("fieldset", {}, g.legend ? [el("legend", { text: g.legend })] : []);
      g.fields.forEach(function (f) { fs.appendChild(input(f, values[f.name], errors[f.name] || errors[f.name.replace(/^score_/, "")])); });
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
      if (fix) {
        extra.replace = { id: fix.item.change.id, at: fix.row.at, recorded_at: fix.item.change.recorded_at };
        extra.photo = fix.item.photo;
      }
      var file = photo && photo.files && photo.files[0];
      var p = file ? shrink(file).then(function (buf) { extra.photo = { name: "photo.jpg", data: K.b64(buf) }; }) : Promise.resolve();
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
    watchIdle();
    return K.openDb().then(function (db) {
      S.db = db;
      return get("meta", "texts");
    }).then(function (t) {
      if (t) { S.texts = t.texts; S.lang = t.lang; }
      document.documentElement.lang = S.lang;
      return navigator.onLine ? K.loadTexts().catch(function () { return null; }) : null;
    }).then(function () {
      document.documentElement.lang = S.lang;
      return get("meta", "device");
    }).then(function (d) {
      // Every opening asks for the password: only its owner opens the copy, online or not.
      S.device = d || null;
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

  K.hooks.render = render;
  K.hooks.notice = function (text, href) { show("notice", text, href); };
  K.hooks.status = status;
  document.addEventListener("DOMContentLoaded", start);
})();
