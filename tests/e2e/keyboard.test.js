// Keyboard only, on the demo: sign in, register a child (names, sex, age, a village picked from
// the type-ahead), and record a follow-up visit — every step by Tab, typing, arrows and Enter, as
// a person who cannot use a pointer does. A field with an error takes the focus.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startDemo, launch } = require('./server');

let server, browser, page;

before(async () => {
  server = await startDemo();
  browser = await launch();
  page = await (await browser.newContext({ viewport: { width: 360, height: 740 } })).newPage();
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

// Press Tab until the focus is on an element matching `selector` (at most `max` presses).
async function tabTo(selector, max = 150) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('Tab never reached ' + selector);
}

async function typeInto(selector, text) {
  await tabTo(selector);
  await page.keyboard.type(text);
}

test('sign in with the keyboard', async () => {
  await page.goto(server.base + '/login');
  await typeInto('#username', 'sokha');
  await typeInto('#password', server.password);
  await Promise.all([page.waitForURL(server.base + '/'), page.keyboard.press('Enter')]);
});

test('register a child with the keyboard; a missing name takes the focus', async () => {
  await tabTo('a[href="/children/new"]');
  await Promise.all([page.waitForURL(/\/children\/new$/), page.keyboard.press('Enter')]);
  // Saved with no name: refused, and the focus is put where the fix is needed.
  await tabTo('button[name=save]', 400);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-invalid')), 'true');
  await typeInto('#family_name_km', 'កែវ');
  await typeInto('#given_name_km', 'ចន្ទ្រា');
  await typeInto('#family_name_latin', 'Keo');
  await typeInto('#given_name_latin', 'Chantrea');
  await tabTo('#sex');
  while ((await page.inputValue('#sex')) !== 'female') await page.keyboard.press('ArrowDown');
  await typeInto('#estimated_age', '9');
  await typeInto('#place_q', 'ou thom');
  await page.locator('.place-option', { hasText: 'Banteay Neang' }).first().waitFor();
  await tabTo('.place-option');
  while (!/Banteay Neang/.test(await page.evaluate(() => document.activeElement.textContent))) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#village_code').value === '01020101');
  await tabTo('button[name=save]', 400);
  await Promise.all([page.waitForURL(/\/children\/[0-9a-f-]{36}$/), page.keyboard.press('Enter')]);
  assert.match(await page.textContent('main'), /ចន្ទ្រា/);
});

test('record a follow-up visit with the keyboard', async () => {
  await page.goto(server.base + '/');
  // The first overdue item of the worker's day: its case page, then the visit form.
  await tabTo('#due-overdue a');
  await Promise.all([page.waitForURL(/\/case$/), page.keyboard.press('Enter')]);
  const caseUrl = page.url();
  assert.equal(await page.locator('a[href$="/case/visit"]').count(), 1, caseUrl + ' ' + (await page.textContent('main')).slice(0, 300));
  await tabTo('a[href$="/case/visit"]');
  await Promise.all([page.waitForURL(/\/case\/visit$/), page.keyboard.press('Enter')]);
  await typeInto('#obs_health', 'សុខភាពល្អ ញ៉ាំបាយបានល្អ');
  await tabTo('main form button.primary', 200);
  await Promise.all([page.waitForURL(caseUrl), page.keyboard.press('Enter')]);
  assert.match(await page.textContent('#timeline'), /សុខភាពល្អ/);
});
