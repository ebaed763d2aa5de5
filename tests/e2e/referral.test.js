// A referral between two organisations in real Chromium, in Khmer: a worker registers a child
// and refers the case with the parent's consent; the other organisation's supervisor accepts it
// from the referrals inbox and can then open the child's record.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, signIn: openAs, launch } = require('./server');

let server, browser, worker, boss, childUrl;

before(async () => {
  server = await start();
  browser = await launch();
  worker = await openAs(browser, server, 'worker');
  boss = await openAs(browser, server, 'otherboss');
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

test('the worker refers a child with the parent’s consent', async () => {
  assert.equal(await worker.getAttribute('html', 'lang'), 'km');
  await worker.goto(server.base + '/children/new');
  await worker.fill('#family_name_km', 'ម៉ៅ');
  await worker.fill('#given_name_km', 'បុប្ផា');
  await worker.fill('#family_name_latin', 'Mao');
  await worker.fill('#given_name_latin', 'Bopha');
  await worker.selectOption('#sex', 'female');
  await worker.fill('#estimated_age', '11');
  await Promise.all([worker.waitForNavigation(), worker.click('button[name=save]')]);
  childUrl = worker.url();
  assert.match(childUrl, /\/children\/[0-9a-f-]{36}$/);
  await worker.goto(childUrl + '/referral');
  // Without consent nothing leaves.
  await worker.selectOption('#to_org', { label: 'Other NGO' });
  await worker.fill('#services', 'ការបណ្តុះបណ្តាលវិជ្ជាជីវៈ');
  await worker.fill('#reason', 'គ្រួសារផ្លាស់ទៅសៀមរាប');
  await Promise.all([worker.waitForNavigation(), worker.click('button.primary')]);
  assert.match(await worker.textContent('main'), /សូមកត់ត្រាអ្នកដែលយល់ព្រម/);
  await worker.selectOption('#consent_by', 'parent');
  await worker.check('input[name=shares][value=identity]');
  await worker.check('input[name=shares][value=case_summary]');
  await Promise.all([worker.waitForNavigation(), worker.click('button.primary')]);
  assert.equal(new URL(worker.url()).pathname, '/referrals');
  assert.match(await worker.textContent('main'), /កំពុងរង់ចាំ/);
});

test('the other organisation’s supervisor is told by the bell, in Khmer, and the notice leads to the referral', async () => {
  await boss.goto(server.base + '/');
  assert.equal((await boss.textContent('header a.inbox .badge')).trim(), '១', 'one unread notice, in Khmer digits');
  await Promise.all([boss.waitForNavigation(), boss.click('header a.inbox')]);
  assert.equal(new URL(boss.url()).pathname, '/notifications');
  const inbox = await boss.textContent('main');
  assert.match(inbox, /មានការបញ្ជូនមួយមកដល់អង្គការរបស់អ្នក/);
  assert.doesNotMatch(inbox, /បុប្ផា|Bopha/, 'a notice names no child');
  await Promise.all([boss.waitForNavigation(), boss.click('ul.notices a')]);
  assert.equal(new URL(boss.url()).pathname, '/referrals');
  assert.equal(await boss.$('header a.inbox .badge'), null, 'read once opened');
});

test('the other organisation’s supervisor accepts it and opens the record', async () => {
  const refused = await boss.goto(childUrl);
  assert.equal(refused.status(), 404, 'not before acceptance: as a record that does not exist');
  await boss.goto(server.base + '/referrals');
  assert.match(await boss.textContent('main'), /ម៉ៅ បុប្ផា/);
  await Promise.all([boss.waitForNavigation(), boss.click('form[action$="/accept"] button')]);
  assert.match(await boss.textContent('main'), /បានទទួលយក/);
  const res = await boss.goto(childUrl);
  assert.equal(res.status(), 200);
  assert.match(await boss.textContent('main'), /បុប្ផា/);
  // The record as the consent covers it: what is not shared (protection categories, sensitive
  // without its consent) says so, in Khmer, rather than showing as empty.
  assert.match(await boss.textContent('main'), /មិនបានចែករំលែកជាមួយអ្នកទេ/);
  await worker.goto(server.base + '/referrals');
  assert.match(await worker.textContent('main'), /បានទទួលយក/, 'the sender sees the decision');
});
