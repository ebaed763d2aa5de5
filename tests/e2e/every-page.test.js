// Every page of every role of the demo, in Khmer and English, on a 360-pixel phone and a
// 1280-pixel screen: nothing scrolls sideways, every button and field is at least 44 px tall on
// the phone, no translation key shows as text, and in Khmer no date or number is written with
// Latin digits (phone numbers aside); and, in Khmer on the phone, no serious or critical
// accessibility violation (axe-core, WCAG 2.1 A and AA). The walk follows links from each home
// page (`crawl.js`), one page per kind of address.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startDemo, launch, signIn } = require('./server');
const { crawl } = require('./crawl');

const USERS = ['sokha', 'sreymom', 'vannak', 'admin', 'intake', 'mosvy', 'sysadmin'];
let server, browser;
// Kinds of page whose accessibility was checked (once each, whoever walks there first).
const axed = new Set();

before(async () => {
  server = await startDemo();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

async function walk(user, lang, width, limit, axe = null) {
  // axe-core is put into each page as a script, which the pages' Content-Security-Policy (no
  // inline script) refuses: only that walk's browser lets it in.
  const page = await signIn(browser, server, user, { viewport: { width, height: width < 600 ? 740 : 900 }, bypassCSP: Boolean(axe) });
  try {
    if ((await page.getAttribute('html', 'lang')) !== lang) {
      await Promise.all([page.waitForNavigation(), page.click('form.lang button')]);
    }
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    if (width < 600) {
      // The bar fits in one line on a phone.
      const bar = await page.$eval('header.top', (h) => h.getBoundingClientRect().height);
      assert.ok(bar <= 64, `the bar is ${bar}px tall`);
    }
    return await crawl(page, server.base, lang, limit, axe);
  } finally {
    await page.context().close();
  }
}

for (const user of USERS) {
  for (const lang of ['km', 'en']) {
    test(`${user}, ${lang}, 360 px: every page fits a phone and reads in its language`, async () => {
      const { report, visited } = await walk(user, lang, 360, 90, lang === 'km' ? axed : null);
      assert.ok(visited >= 10, `only ${visited} pages reached`);
      assert.deepEqual(report, {});
    });
    test(`${user}, ${lang}, 1280 px: every page fits the screen and shows no key`, async () => {
      const { report } = await walk(user, lang, 1280, 25);
      assert.deepEqual(report, {});
    });
  }
}
