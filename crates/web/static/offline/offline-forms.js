// The offline app's forms: the pages' own form definitions (sent by the server) drawn as
// fields, a village picked from the carried provinces, a photo made small for a 2G line, and a
// change the server refused opened again with its messages by its fields. Loaded after
// offline.js, whose drawing helpers it uses.
(function () {
  "use strict";
  var K = window.KrousarOffline;
  var S = K.S, T = K.T, get = K.get, unsealRow = K.unsealRow, record = K.record;
  var el = K.ui.el, show = K.ui.show, go = K.ui.go, title = K.ui.title, renderHome = K.ui.renderHome;

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
    if (f.type === "checks") {
      // Several choices: the values picked are sent joined by commas.
      wrap = el("fieldset", { class: "field radios" + (error ? " invalid" : "") }, [el("legend", { text: f.label }), said]);
      var picked = (value || "").split(",");
      f.options.forEach(function (o, i) {
        var c = el("input", { type: "checkbox", name: f.name, value: o[0], id: id + "-" + i, "data-multi": "1" });
        if (picked.indexOf(o[0]) >= 0) c.checked = true;
        wrap.appendChild(el("label", { class: "check", for: id + "-" + i }, [c, " " + o[1]]));
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
      if (e.type === "checkbox" && e.getAttribute("data-multi")) {
        if (e.checked) out[e.name] = out[e.name] ? out[e.name] + "," + e.value : e.value;
        return;
      }
      if (e.type === "checkbox") { if (e.checked) out[e.name] = "1"; return; }
      out[e.name] = e.value;
    });
    return out;
  }

  // A photo made small enough for a 2G line: at most 1280 pixels, JPEG.
  function unreadable() { var e = new Error("not an image"); e.unreadablePhoto = true; return e; }
  function shrink(file) {
    return new Promise(function (ok, fail) {
      var img = new Image(), url = URL.createObjectURL(file);
      img.onload = function () {
        var scale = Math.min(1, 1280 / Math.max(img.width, img.height));
        var c = document.createElement("canvas");
        c.width = Math.round(img.width * scale); c.height = Math.round(img.height * scale);
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(url);
        c.toBlob(function (b) { if (b) b.arrayBuffer().then(ok, fail); else fail(unreadable()); }, "image/jpeg", 0.7);
      };
      img.onerror = function () { URL.revokeObjectURL(url); fail(unreadable()); };
      img.src = url;
    });
  }

  // A change the server refused, opened again in its form with the messages by its fields.
  function renderFix(view, rowId) {
    get("outbox", rowId).then(function (row) {
      if (!row) return go("#/");
      return unsealRow("outbox", row).then(function (item) {
        view.textContent = "";
        var kind = item.change.kind === "custom-form" ? "custom:" + item.change.fields.form : item.change.kind;
        renderForm(view, kind, item.change.child, { row: row, item: item });
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
      g.fields.forEach(function (f) {
        // A person of the household: one of the members the carried child's copy lists.
        if (f.type === "person") f = Object.assign({}, f, { type: "radio", options: (c && c.people) || [] });
        fs.appendChild(input(f, values[f.name], errors[f.name] || errors[f.name.replace(/^score_/, "")]));
      });
      form.appendChild(fs);
    });
    var photo = null;
    if (kind === "visit" || kind === "note" || kind === "tracing-attempt" || kind === "profile-photo") {
      photo = el("input", { type: "file", id: "f-photo", accept: "image/*", capture: "environment" });
      // A profile photo is the whole record: it cannot be saved without one.
      if (kind === "profile-photo") photo.required = true;
      form.appendChild(el("div", { class: "field" }, [el("label", { for: "f-photo", text: T("app-photo") }), photo]));
    }
    form.appendChild(el("p", { class: "help", text: T("app-saved-help") }));
    var failed = el("p", { class: "error-text", role: "alert" });
    var save = el("button", { class: "primary", type: "submit", text: T("app-save") });
    form.appendChild(failed);
    form.appendChild(save);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      // One press keeps one change: the button waits while the photo shrinks and the change is
      // sealed, so a second press cannot keep it twice.
      if (save.disabled) return;
      save.disabled = true; failed.textContent = "";
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
      // The organisation's own forms travel as one kind, naming the form.
      var sent = kind;
      if (kind.indexOf("custom:") === 0) { fields.form = kind.slice(7); sent = "custom-form"; }
      p.then(function () { return record(sent, c ? c.id : null, fields, extra); }).then(function () {
        show("notice", T("app-saved")); go("#/");
      }, function (x) {
        // Nothing was kept: say so by the button, and leave what was typed in place.
        save.disabled = false;
        failed.textContent = x && x.unreadablePhoto ? T("app-photo-unreadable") : T("app-not-saved");
      });
    });
    view.appendChild(form);
  }

  K.forms = { renderForm: renderForm, renderFix: renderFix };
})();
