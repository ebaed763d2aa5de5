// Sensitive information in real Chromium, in Khmer: the worker opens it from the child's page,
// records an HIV status and a health note; the team's supervisor reads it; the manager, who reads
// the child's record, is told it is restricted and is refused the page.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, signIn, launch } = require('./server');

let server, browser, worker, boss, manager, childUrl;

before(async () => {
  server = await start();
  browser = await launch();
  worker = await signIn(browser, server, 'worker');
  boss = await signIn(browser, server, 'boss');
  manager = await signIn(browser, server, 'manager');
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

test('the worker records sensitive information on its own page', async () => {
  await worker.goto(server.base + '/children/new');
  await worker.fill('#family_name_km', 'សុខ');
  await worker.fill('#given_name_km', 'ស្រីលក្ខណ៍');
  await worker.fill('#given_name_latin', 'Sreyleak');
  await worker.selectOption('#sex', 'female');
  await worker.fill('#estimated_age', '9');
  await Promise.all([worker.waitForNavigation(), worker.click('button[name=save]')]);
  childUrl = worker.url();
  // The child's page links to it, and does not show it.
  await Promise.all([worker.waitForNavigation(), worker.click(`a[href$="/sensitive"]`)]);
  assert.match(await worker.textContent('h1'), /ព័ត៌មានរសើប/);
  await worker.selectOption('#hiv_status', 'positive');
  await worker.fill('#health', 'លេបថ្នាំ ARV រៀងរាល់ថ្ងៃ');
  await Promise.all([worker.waitForNavigation(), worker.click('button.primary')]);
  assert.match(await worker.textContent('main'), /បានរក្សាទុក/);
  assert.equal(await worker.inputValue('#health'), 'លេបថ្នាំ ARV រៀងរាល់ថ្ងៃ');
  await worker.goto(childUrl);
  assert.doesNotMatch(await worker.textContent('main'), /ARV/);
});

test('the supervisor reads it; the manager is refused', async () => {
  await boss.goto(childUrl + '/sensitive');
  assert.equal(await boss.inputValue('#health'), 'លេបថ្នាំ ARV រៀងរាល់ថ្ងៃ');
  const page = await manager.goto(childUrl);
  assert.equal(page.status(), 200, 'the manager reads the record');
  assert.match(await manager.textContent('main'), /បើកបានតែដោយបុគ្គលិកករណី/);
  assert.equal(await manager.locator('a[href$="/sensitive"]').count(), 0);
  const refused = await manager.goto(childUrl + '/sensitive');
  assert.equal(refused.status(), 403);
  assert.doesNotMatch(await manager.textContent('body'), /ARV/);
});
