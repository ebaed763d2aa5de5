// Browser tests in real Chromium: sign-in, language switch, registering a child with a Khmer
// name and an address picked by type-ahead, finding the child by a romanised partial name,
// and a social worker being refused another organisation's child.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { start, signIn, launch } = require('./server');

let server, context, page, childUrl;

before(async () => {
  server = await start();
  context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'krousar-chromium-')), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 360, height: 740 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await context.newPage();
});

after(async () => {
  if (context) await context.close();
  if (server) server.stop();
});

test('a social worker signs in and sees the caseload, in Khmer first', async () => {
  await page.goto(server.base + '/login');
  await page.fill('#username', 'worker');
  await page.fill('#password', server.password);
  await page.click('button.primary');
  await page.waitForURL(server.base + '/');
  assert.equal(await page.getAttribute('html', 'lang'), 'km');
  assert.match(await page.textContent('main'), /ករណីរបស់ខ្ញុំ/);
});

test('the language switch changes the interface and is remembered', async () => {
  await page.click('form.lang button');
  await page.waitForLoadState();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.goto(server.base + '/children');
  assert.match(await page.textContent('h1'), /Children/);
});

test('a child is registered with a Khmer name and an address picked by type-ahead', async () => {
  await page.goto(server.base + '/children/new');
  await page.fill('#family_name_km', 'សុខ');
  await page.fill('#given_name_km', 'ស្រីនាង');
  await page.fill('#family_name_latin', 'Sok');
  await page.fill('#given_name_latin', 'Sreyneang');
  await page.selectOption('#sex', 'female');
  await page.fill('#date_of_birth', '2016-05-01');
  await page.fill('#place_q', 'ou thom');
  const option = page.locator('.place-option', { hasText: 'Banteay Neang' }).first();
  await option.waitFor();
  await option.click();
  await page.waitForFunction(() => document.querySelector('#village_code').value === '01020101');
  await page.click('button[name=save]');
  await page.waitForURL(/\/children\/[0-9a-f-]{36}$/);
  childUrl = page.url();
  const record = await page.textContent('main');
  assert.match(record, /ស្រីនាង/);
  assert.match(record, /Ou Thum/);
});

test('the child is found by a romanised partial name', async () => {
  await page.goto(server.base + '/children');
  await page.fill('#q', 'srei neang');
  await page.click('.search-line button.primary');
  await page.waitForLoadState();
  assert.match(await page.textContent('table.list'), /ស្រីនាង|Sreyneang/);
  assert.match(await page.textContent('.count'), /\b1 child\b/);
});

test('a stay in an institution is added on its own page, institutions grouped by province', async () => {
  // A supervisor registers an institution in the child's province.
  const browser = await launch();
  try {
    const boss = await signIn(browser, server, 'boss');
    await boss.goto(server.base + '/rcis/new');
    await boss.fill('#name', 'Banteay Neang Children Centre');
    await boss.fill('#place_q', 'ou thom');
    const option = boss.locator('.place-option', { hasText: 'Banteay Neang' }).first();
    await option.waitFor();
    await option.click();
    await boss.click('button[name=save]');
    await boss.waitForURL(/\/rcis\/[0-9a-f-]{36}$/);
  } finally {
    await browser.close();
  }
  // The record page links to the stay form instead of carrying every institution.
  await page.goto(childUrl);
  assert.equal(await page.locator('#rci_id').count(), 0);
  await page.click(`a[href$="/residences/new"]`);
  await page.waitForURL(/\/residences\/new$/);
  assert.equal(await page.locator('#rci_id optgroup').first().getAttribute('label'), 'Banteay Meanchey Province');
  // No date: told so next to the field, the choice kept, nothing written.
  await page.selectOption('#rci_id', { label: 'Banteay Neang Children Centre' });
  await page.click('form.record-form button.primary');
  await page.waitForLoadState();
  assert.match(await page.textContent('#entered-err'), /./);
  assert.notEqual(await page.inputValue('#rci_id'), '');
  await page.fill('#entered', '2019-02-01');
  await page.fill('#left', '2024-06-30');
  await page.click('form.record-form button.primary');
  await page.waitForURL(childUrl);
  const record = await page.textContent('main');
  assert.match(record, /Banteay Neang Children Centre/);
});

test("another organisation's child is refused with a friendly page, as a missing one is", async () => {
  const res = await page.goto(server.base + '/children/' + server.foreignChild);
  assert.equal(res.status(), 404);
  const text = await page.textContent('main');
  assert.match(text, /does not exist, or is not open to you/);
  assert.doesNotMatch(text, /Vichet|វិចិត្រ/);
  await page.screenshot({ path: path.join(os.tmpdir(), 'krousar-e2e-refused.png') });
});
