// Progressive enhancement only: every page works without this file.
// Adds type-ahead place search and cascading selects to the address picker.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The menu: a button on a phone, a row of links on a wide screen (open there, and its button
  // hidden by the style sheet).
  var menu = document.querySelector("details.menu");
  if (menu && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 64rem)");
    var fit = function () { menu.open = wide.matches; };
    fit();
    if (wide.addEventListener) wide.addEventListener("change", fit);
  }

  // A form sent back with errors: the first field to fix takes the focus (its message is read
  // with it, through aria-describedby).
  var invalid = document.querySelector("main [aria-invalid=true]");
  if (invalid) invalid.focus();

  // A link to a folded section (the case page's jump list) opens it.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") el.open = true;
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  var csrf = null;

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; });
  }

  function fill(select, items, value) {
    var lang = document.documentElement.lang;
    while (select.options.length > 1) select.remove(1);
    if (select.options.length === 0) select.add(new Option("—", ""));
    items.forEach(function (p) {
      var label = lang === "km" ? p.name_km : p.name_latin;
      select.add(new Option(label, p.code, false, p.code === value));
    });
    select.value = value || "";
  }

  function loadLevel(picker, level, parent, value) {
    var select = picker.querySelector('select[data-level="' + level + '"]');
    if (!select) return Promise.resolve();
    if (!parent) { fill(select, [], ""); return Promise.resolve(); }
    return getJSON("/api/v1/locations/children?parent=" + encodeURIComponent(parent))
      .then(function (d) { fill(select, d.items || [], value); });
  }

  var order = ["province", "district", "commune", "village"];

  function setVillage(picker, code) {
    var p = code.slice(0, 2), d = code.slice(0, 4), c = code.slice(0, 6);
    picker.querySelector('select[data-level="province"]').value = p;
    return loadLevel(picker, "district", p, d)
      .then(function () { return loadLevel(picker, "commune", d, c); })
      .then(function () { return loadLevel(picker, "village", c, code); });
  }

  // A district (or province) already chosen narrows the type-ahead to the villages in it; once
  // a village is chosen, typing again looks everywhere (the user is changing the address).
  function scopeOf(picker) {
    var pick = function (level) {
      var s = picker.querySelector('select[data-level="' + level + '"]');
      return s ? s.value : "";
    };
    if (pick("village")) return "";
    return pick("district") || pick("province") || "";
  }

  function setup(picker) {
    order.forEach(function (level, i) {
      var select = picker.querySelector('select[data-level="' + level + '"]');
      if (!select || i === order.length - 1) return;
      select.addEventListener("change", function () {
        var next = order[i + 1];
        loadLevel(picker, next, select.value, "");
        order.slice(i + 2).forEach(function (l) { loadLevel(picker, l, "", ""); });
      });
    });
    var input = picker.querySelector("[data-typeahead]");
    var results = picker.querySelector("[data-results]");
    if (!input || !results) return;
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2) { results.innerHTML = ""; return; }
        var within = scopeOf(picker);
        getJSON("/api/v1/locations/search?level=village&limit=10&q=" + encodeURIComponent(q) +
          (within ? "&within=" + encodeURIComponent(within) : "")).then(function (d) {
          results.innerHTML = "";
          (d.items || []).forEach(function (p) {
            var li = document.createElement("li");
            var b = document.createElement("button");
            b.type = "button";
            b.className = "place-option";
            b.textContent = p.label_km + " — " + p.label_latin;
            b.addEventListener("click", function () {
              results.innerHTML = "";
              input.value = document.documentElement.lang === "km" ? p.label_km : p.label_latin;
              setVillage(picker, p.code);
            });
            li.appendChild(b);
            results.appendChild(li);
          });
        });
      }, 250);
    });
  }

  // Signing out wipes the offline app's copy on this device, work not yet sent included: say so.
  function guardSignOut(form) {
    form.addEventListener("submit", function (e) {
      var unsent = 0;
      try { unsent = parseInt(localStorage.getItem("krousar-unsent") || "0", 10); } catch (x) { unsent = 0; }
      if (unsent > 0 && !window.confirm(form.getAttribute("data-unsent-warning"))) e.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-place-picker]"), setup);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-unsent-warning]"), guardSignOut);
  });
})();
