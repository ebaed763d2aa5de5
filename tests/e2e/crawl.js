// Walks every page a signed-in user can reach by following links from the home page (one page
// per kind of address: ids are folded, so /children/<id> is visited once), and reports what a
// reader on a phone would stumble on: sideways scrolling, small touch targets, translation keys
// shown as text, and — in Khmer — dates and numbers written the Latin way.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const AXE = require.resolve('axe-core/axe.min.js');
const ftl = path.resolve(__dirname, '../../crates/web/locales/en/main.ftl');
// Every message id of the interface: a word on a page equal to one is a key left untranslated.
const KEYS = new Set(fs.readFileSync(ftl, 'utf8').split('\n').map((l) => (l.match(/^([a-z][a-z0-9-]*[a-z0-9])\s*=/) || [])[1]).filter((k) => k && k.includes('-')));

// Addresses not to follow: they act (sign out, switch language), download files, or open the
// offline app (its own tests drive it).
const SKIP = /^\/(logout|lang|app|static|manifest|sw\.js|api\/)|\.(csv|xlsx|pdf|zip|json|svg|png)(\?|$)|\/download|\/export\/|\/file|\/attachments\/|\/definition$|\/answers(\/template)?$/;

function kindOf(href) {
  const u = new URL(href);
  return u.pathname.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id').replace(/\/\d+(?=\/|$)/g, '/:n') + (u.search ? '?' + [...u.searchParams.keys()].sort().join('&') : '');
}

// What the reader sees on the open page, checked in the page itself.
async function findings(page, lang) {
  return page.evaluate(({ keys, lang }) => {
    const out = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth + 1) {
      // Name the widest element, to say what to fix.
      let widest = null;
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        const scrolled = el.parentElement && el.parentElement.closest('.table-scroll, .menu-body');
        if (!scrolled && r.right > window.innerWidth + 1 && (!widest || r.right > widest.r.right)) widest = { el, r };
      }
      const what = widest ? `${widest.el.tagName.toLowerCase()}.${widest.el.className} "${(widest.el.textContent || '').trim().slice(0, 40)}"` : '';
      out.push(`scrolls sideways: ${doc.scrollWidth}px wide ${what}`);
    }
    const visible = (el) => {
      const s = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0;
    };
    for (const el of document.querySelectorAll('button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, .top a, a.button')) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.height < 43.5) out.push(`small touch target (${Math.round(r.height)}px): ${el.tagName.toLowerCase()} "${(el.textContent || el.name || '').trim().slice(0, 30)}"`);
    }
    // Visible text, without what a user typed or a code shown as code.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const texts = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const p = n.parentElement;
      if (!p || p.closest('script, style, code, textarea, [translate=no], [data-raw]')) continue;
      if (!visible(p)) continue;
      const t = n.textContent.trim();
      if (t) texts.push(t);
    }
    for (const t of texts) {
      for (const word of t.split(/[\s,.;:()"'«»]+/)) if (keys.includes(word)) out.push(`translation key shown: ${word}`);
      // A phone number stays in the digits phones dial with.
      const phone = /^\+?[\d ()-]{6,}$/.test(t);
      if (lang === 'km' && !phone) {
        if (/\b\d{4}-\d{2}-\d{2}\b/.test(t)) out.push(`date written the Latin way: "${t.slice(0, 60)}"`);
        else if (/(^|[^\p{L}\d-])\d+([^\p{L}\d-]|$)/u.test(t) && !/[A-Za-z]\d|\d[A-Za-z]|[A-Z]{2,}-?\d/.test(t)) out.push(`Latin digits in Khmer: "${t.slice(0, 60)}"`);
      }
    }
    return out;
  }, { keys: [...KEYS], lang });
}

// Serious and critical accessibility violations of the open page (axe-core, WCAG 2 A and AA).
async function accessibility(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `accessibility (${v.impact}): ${v.id} — ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
}

// Visit every kind of page reachable from home for the signed-in `page`; return findings by
// address. `limit` bounds the walk; `axe` (a set of the kinds of page already checked, shared
// between walks) also checks the accessibility of each kind of page once.
async function crawl(page, base, lang, limit = 80, axe = null) {
  const seen = new Set();
  const queue = [base + '/'];
  const report = {};
  let visited = 0;
  while (queue.length && visited < limit) {
    const url = queue.shift();
    const res = await page.goto(url);
    visited++;
    const status = res ? res.status() : 0;
    // A document that is not a page (a PDF shown by the browser) has nothing of ours to check.
    if (res && !(res.headers()['content-type'] || '').startsWith('text/html')) continue;
    const found = status >= 500 ? [`answered ${status}`] : await findings(page, lang);
    if (axe && status < 500 && !axe.has(kindOf(url))) {
      axe.add(kindOf(url));
      found.push(...(await accessibility(page)));
    }
    if (found.length) report[new URL(url).pathname + new URL(url).search] = [...new Set(found)];
    for (const href of await page.$$eval('a[href]', (as) => as.map((a) => a.href))) {
      if (!href.startsWith(base)) continue;
      const u = new URL(href);
      u.hash = '';
      if (SKIP.test(u.pathname)) continue;
      const kind = kindOf(u.href);
      if (seen.has(kind)) continue;
      seen.add(kind);
      queue.push(u.href);
    }
  }
  return { report, visited };
}

module.exports = { crawl, findings, accessibility, KEYS };
