// Browser test in real Chromium: an address picked by the type-ahead from a spelling that is not
// the gazetteer's, in Latin letters and in Khmer (issue 22), on a phone-sized screen.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, signIn, launch } = require('./server');

let server, browser, page;

before(async () => {
  server = await start();
  browser = await launch();
  page = await signIn(browser, server, 'worker');
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

// Type into the picker and return the options offered, in order.
async function offered(q) {
  await page.fill('#place_q', '');
  await page.fill('#place_q', q);
  const first = page.locator('.place-option').first();
  await first.waitFor();
  return page.locator('.place-option').allTextContents();
}

test('a village is picked by another romanisation of its name', async () => {
  await page.goto(server.base + '/children/new');
  // "Kaoh Ta Kouv" is how another list spells the village the gazetteer calls Kaoh Ta Kov.
  const options = await offered('Kaoh Ta Kouv');
  assert.match(options[0], /Kaoh Ta Kov/, options.join(' | '));
  await page.locator('.place-option').first().click();
  await page.waitForFunction(() => document.querySelector('#village_code').value === '07061205');
  // The cascading selects follow the village picked.
  assert.equal(await page.inputValue('select[data-level="district"]'), '0706');
});

test('a village is picked by its Khmer name with the number as a word and the unit word typed', async () => {
  await page.goto(server.base + '/children/new');
  // The gazetteer writes "រំចេក ៣"; people write the number as a word and add ភូមិ.
  const options = await offered('ភូមិរំចេកបី');
  assert.match(options[0], /រំចេក ៣/, options.join(' | '));
  await page.locator('.place-option').first().click();
  await page.waitForFunction(() => document.querySelector('#village_code').value === '02030303');
});

test('a chosen district narrows the type-ahead to its villages', async () => {
  await page.goto(server.base + '/children/new');
  await page.selectOption('select[data-level="province"]', '02');
  await page.waitForFunction(() => document.querySelectorAll('select[data-level="district"] option').length > 1);
  await page.selectOption('select[data-level="district"]', '0203');
  // "Rumchek Bei" (a number as a Latin word) within Battambang municipality only.
  const options = await offered('Rumchek Bei');
  assert.match(options[0], /Rumchek 3/, options.join(' | '));
  for (const o of options) assert.match(o, /Battambang|បាត់ដំបង/, o);
});
