// Editing an institution and correcting a child's stay through the pages (issue 23), in real
// Chromium, in Khmer, on a 360-px phone: the supervisor edits an institution from its page while
// the manager has the same form open (the manager is told, not saved over); the social worker,
// with JavaScript off, corrects a stay from the child's record.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, signIn, launch } = require('./server');

// Khmer strings (crates/web/locales/km/main.ftl).
const KM = {
  conflict: 'មានអ្នកផ្សេងបានរក្សាទុកកំណត់ត្រានេះ', // err-conflict
  leftBeforeEntered: 'ថ្ងៃចាកចេញមុនថ្ងៃចូល។', // err-left-before-entered
  editStay: 'កែតម្រូវការស្នាក់នៅក្នុងមណ្ឌល', // page-edit-residence
};
const HOPE = 'មណ្ឌលក្តីសង្ឃឹម (Hope Centre)';
const SUNRISE = 'Sunrise Home';

let server, browser, worker, boss, manager;
let rciUrl;

before(async () => {
  server = await start();
  browser = await launch();
  boss = await signIn(browser, server, 'boss');
  manager = await signIn(browser, server, 'manager');
  // The social worker's phone runs no JavaScript: every step must work without it.
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
  worker = await context.newPage();
  await worker.goto(server.base + '/login');
  await worker.fill('#username', 'worker');
  await worker.fill('#password', server.password);
  await Promise.all([worker.waitForURL(server.base + '/'), worker.click('button.primary')]);
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

// Submit the form whose primary button is `button` and return the answer's status.
async function submit(page, button) {
  const [res] = await Promise.all([page.waitForNavigation(), page.click(button)]);
  return res.status();
}

// Nothing on the page is wider than the phone.
async function fitsThePhone(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `the page is ${width}px wide on a 360px phone`);
}

async function registerRci(name, capacity) {
  await boss.goto(server.base + '/rcis/new');
  await boss.fill('#name', name);
  await boss.fill('#capacity', capacity);
  assert.equal(await submit(boss, 'button[name=save]'), 200);
  assert.match(boss.url(), /\/rcis\/[0-9a-f-]{36}$/);
  return boss.url();
}

test('the supervisor edits an institution from its page; the manager, on a stale form, is told and saves nothing', async () => {
  rciUrl = await registerRci(HOPE, '40');
  await registerRci(SUNRISE, '25');
  // Both open the form, filled with what the register holds.
  await boss.goto(rciUrl);
  await Promise.all([boss.waitForNavigation(), boss.click(`a[href="${new URL(rciUrl).pathname}/edit"]`)]);
  assert.equal(await boss.inputValue('#name'), HOPE);
  assert.equal(await boss.inputValue('#capacity'), '40');
  await fitsThePhone(boss);
  await manager.goto(rciUrl + '/edit');
  assert.equal(await manager.inputValue('#capacity'), '40');

  // The supervisor saves first.
  await boss.fill('#capacity', '55');
  await boss.fill('#note', 'កំពុងផ្លាស់ប្តូរទៅជាមណ្ឌលសហគមន៍');
  assert.equal(await submit(boss, 'button[name=save]'), 200);
  assert.equal(boss.url(), rciUrl);
  assert.match(await boss.textContent('main'), /កំពុងផ្លាស់ប្តូរទៅជាមណ្ឌលសហគមន៍/);

  // The manager's form is stale: told so, what was typed kept, nothing written.
  await manager.fill('#capacity', '60');
  assert.equal(await submit(manager, 'button[name=save]'), 409);
  assert.match(await manager.textContent('.notice.error'), new RegExp(KM.conflict));
  assert.equal(await manager.inputValue('#capacity'), '60');
  await boss.goto(rciUrl + '/edit');
  assert.equal(await boss.inputValue('#capacity'), '55', 'the stale save wrote nothing');
  // Having read the notice, the manager saves again from the version now saved.
  assert.equal(await submit(manager, 'button[name=save]'), 200);
  await boss.goto(rciUrl + '/edit');
  assert.equal(await boss.inputValue('#capacity'), '60');

  // A social worker reads the register but is not offered the edit, and is refused it.
  await worker.goto(rciUrl);
  assert.equal(await worker.locator('a[href$="/edit"]').count(), 0);
  assert.equal((await worker.goto(rciUrl + '/edit')).status(), 403);
});

test('the social worker corrects a stay from the child record, without JavaScript, on a phone', async () => {
  await worker.goto(server.base + '/children/new');
  await worker.fill('#family_name_km', 'សុខ');
  await worker.fill('#given_name_km', 'ស្រីនាង');
  await worker.fill('#given_name_latin', 'Sreyneang');
  await worker.selectOption('#sex', 'female');
  await worker.fill('#estimated_age', '12');
  await Promise.all([worker.waitForNavigation(), worker.click('button[name=save]')]);
  const childUrl = worker.url();
  assert.match(childUrl, /\/children\/[0-9a-f-]{36}$/);
  await Promise.all([worker.waitForNavigation(), worker.click('a[href$="/residences/new"]')]);
  await worker.selectOption('#rci_id', { label: HOPE });
  await worker.fill('#entered', '2019-02-01');
  await worker.fill('#left', '2024-06-30');
  assert.equal(await submit(worker, 'form.record-form button.primary'), 200);
  assert.equal(worker.url(), childUrl);

  // The record lists the stay with its correction, within the phone's width.
  const edit = worker.locator('a[href*="/residences/"][href$="/edit"]');
  assert.equal(await edit.count(), 1);
  assert.ok(await edit.isVisible());
  await fitsThePhone(worker);
  await Promise.all([worker.waitForNavigation(), edit.click()]);
  assert.match(await worker.textContent('h1'), new RegExp(KM.editStay));
  assert.equal(await worker.inputValue('#entered'), '2019-02-01');
  assert.equal(await worker.inputValue('#left'), '2024-06-30');
  assert.equal(await worker.locator('#rci_id option:checked').textContent(), HOPE);
  await fitsThePhone(worker);

  // A mistake is shown next to its field, in Khmer; nothing is written.
  await worker.selectOption('#rci_id', { label: SUNRISE });
  await worker.fill('#left', '2018-12-31');
  assert.equal(await submit(worker, 'form.record-form button.primary'), 422);
  assert.equal((await worker.textContent('#left-err')).trim(), KM.leftBeforeEntered);
  assert.equal(await worker.locator('#rci_id option:checked').textContent(), SUNRISE, 'the choice is kept');
  await fitsThePhone(worker);

  // Corrected: the record tells the stay as it was.
  await worker.fill('#left', '2024-07-31');
  assert.equal(await submit(worker, 'form.record-form button.primary'), 200);
  assert.equal(worker.url(), childUrl);
  const record = await worker.textContent('main');
  assert.match(record, new RegExp(SUNRISE));
  assert.doesNotMatch(record, /Hope Centre/);
});
