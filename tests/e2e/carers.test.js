// A foster carer household from enquiry to approval in real Chromium, in Khmer, and a child
// matched with it: the worker records the enquiry, a home visit, a police check, the assessment
// and the training; the supervisor's panel approves; the worker puts the carer on the stand-by
// list, finds it for a child and places the child with a written reason.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, signIn, launch } = require('./server');

let server, browser, worker, boss, carerUrl;

const today = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
const inDays = (n) => new Date(Date.now() + 7 * 3600 * 1000 + n * 24 * 3600 * 1000).toISOString().slice(0, 10);

before(async () => {
  server = await start();
  browser = await launch();
  worker = await signIn(browser, server, 'worker');
  boss = await signIn(browser, server, 'boss');
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

// Open the form of one step from the carer's page, fill it, save, and come back to the page.
async function recordStep(page, kind, fill) {
  await page.goto(carerUrl + '?step=' + kind);
  await fill(page);
  await Promise.all([page.waitForNavigation(), page.click(`form[action$="/steps"] button.primary`)]);
  assert.equal(page.url(), carerUrl, 'saved: ' + (await page.textContent('main')).slice(0, 300));
}

test('the worker takes an enquiry through assessment and training', async () => {
  await worker.goto(server.base + '/carers');
  assert.match(await worker.textContent('h1'), /អ្នកថែទាំជំនួស និងសាច់ញាតិ/);
  await Promise.all([worker.waitForNavigation(), worker.click('a[href="/carers/new"]')]);
  await worker.fill('#name', 'គ្រួសារ សុខ ចិន្តា');
  await worker.selectOption('#kind', 'foster');
  await worker.fill('#languages', 'Bunong');
  await Promise.all([worker.waitForNavigation(), worker.click('button[name=save]')]);
  carerUrl = worker.url();
  assert.match(carerUrl, /\/carers\/[0-9a-f-]{36}$/);
  assert.match(await worker.textContent('main'), /ការសាកសួរ/);
  // The panel is not the worker's to record.
  assert.equal(await worker.locator(`a[href$="?step=panel"]`).count(), 0);
  await recordStep(worker, 'home_visit', async (p) => p.fill('#note', 'ផ្ទះស្អាត មានបន្ទប់សម្រាប់កុមារ'));
  await recordStep(worker, 'check', async (p) => { await p.selectOption('#check', 'police'); await p.selectOption('#result', 'clear'); });
  await recordStep(worker, 'assessment', async (p) => { await p.selectOption('#recommendation', 'approve'); await p.fill('#motivation', 'ធ្លាប់ចិញ្ចឹមក្មួយ'); });
  await recordStep(worker, 'training', async (p) => p.fill('#course', 'ការថែទាំជំនួស'));
  assert.match(await worker.textContent('main'), /រង់ចាំគណៈកម្មការ/);
});

test('the supervisor’s panel approves, and a panel without care types is refused', async () => {
  await boss.goto(carerUrl + '?step=panel');
  await boss.selectOption('#decision', 'approved');
  await boss.fill('#max_children', '2');
  await boss.fill('#age_min', '0');
  await boss.fill('#age_max', '17');
  await Promise.all([boss.waitForNavigation(), boss.click(`form[action$="/steps"] button.primary`)]);
  assert.match(await boss.textContent('main'), /ត្រូវតែបំពេញ/, 'refused without the kinds of care');
  await boss.check('input[name=care_types][value=long_term]');
  await Promise.all([boss.waitForNavigation(), boss.click(`form[action$="/steps"] button.primary`)]);
  assert.equal(boss.url(), carerUrl);
  assert.match(await boss.textContent('main'), /បានអនុម័ត/);
});

test('the worker puts the carer on stand-by, finds it for a child and places the child', async () => {
  await recordStep(worker, 'availability', async (p) => { await p.fill('#from', today()); await p.fill('#to', inDays(365)); });
  assert.match(await worker.textContent('main'), /ទំនេរ \(ត្រៀមរួច\)/);
  // A child with a case.
  await worker.goto(server.base + '/children/new');
  await worker.fill('#given_name_km', 'ស្រីនាង');
  await worker.fill('#given_name_latin', 'Sreyneang');
  await worker.selectOption('#sex', 'female');
  await worker.fill('#estimated_age', '8');
  await Promise.all([worker.waitForNavigation(), worker.click('button[name=save]')]);
  const childUrl = worker.url();
  await worker.goto(childUrl + '/case/open');
  await worker.check('input[name=route][value=prevention]');
  await Promise.all([worker.waitForNavigation(), worker.click('form.case-form button.primary')]);
  // Matching from the child's page, with the child's language.
  await worker.goto(childUrl);
  await Promise.all([worker.waitForNavigation(), worker.click('main a[href$="/carers"]')]);
  await worker.fill('#language', 'bunong');
  await Promise.all([worker.waitForNavigation(), worker.click('form[method=get] button')]);
  const main = await worker.textContent('main');
  assert.match(main, /គ្រួសារ សុខ ចិន្តា/);
  assert.match(main, /និយាយភាសារបស់កុមារ/);
  await worker.fill('textarea[name=decision]', 'និយាយភាសាព្នង ដូចកុមារ');
  await Promise.all([worker.waitForNavigation(), worker.click('form[action$="/place"] button.primary')]);
  assert.match(new URL(worker.url()).pathname, /\/case$/);
  await worker.goto(carerUrl);
  assert.match(await worker.textContent('main'), /និយាយភាសាព្នង ដូចកុមារ/, 'the reason is on the carer’s history');
});
