// The organisation's own forms in real Chromium (issue 25): the administrator builds a form in
// Khmer on the pages, sees its preview and publishes it; a worker's phone downloads it, fills it
// in with no network, and sends it when the network is back; the manager sees it counted on
// the dashboard and in the form's report, girls apart. Flags and a photo on the same phone.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startDemo, launch, signIn } = require('./server');

let server, browser;
const t = {};
const { phone, setUp, unlock, inFollowUp, open } = require('./phone')(t);

before(async () => {
  server = t.server = await startDemo();
  browser = t.browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

test('a form built in Khmer is filled in on a phone offline and counted on the dashboard', async () => {
  // The administrator, in Khmer, on a laptop.
  const admin = await signIn(browser, server, 'admin', { viewport: { width: 1280, height: 900 } });
  await admin.goto(server.base + '/admin/forms');
  assert.match(await admin.textContent('h1'), /ទម្រង់ផ្ទាល់ខ្លួនរបស់យើង/);
  await admin.fill('#name_km', 'ការពិនិត្យទឹកស្អាត');
  await admin.fill('#name_en', 'Water check');
  await Promise.all([admin.waitForURL(/\/admin\/forms\/[0-9a-f-]+$/), admin.click('form[action="/admin/forms"] button.primary')]);
  // A choice field with too few choices is refused by its field, in Khmer.
  await admin.selectOption('#kind', 'one_choice');
  await admin.fill('#label_km', 'មានទឹកស្អាតផឹកនៅផ្ទះទេ');
  await admin.click('summary:has-text("ជម្រើស")');
  await admin.fill('#choices_km', 'មាន');
  await admin.click('form[action$="/fields"] button.primary');
  assert.match(await admin.textContent('#choices_km-err'), /២ ដល់ ៣០/);
  await admin.fill('#choices_km', 'មាន\nគ្មាន');
  await admin.fill('#choices_en', 'Yes\nNo');
  await admin.fill('#label_en', 'Drinking water at home');
  await admin.check('input[name="required"]');
  await admin.click('form[action$="/fields"] button.primary');
  await admin.waitForSelector('.form-fields li');
  // The preview is the form as the worker will see it.
  assert.match(await admin.textContent('.preview'), /មានទឹកស្អាតផឹកនៅផ្ទះទេ/);
  assert.equal(await admin.locator('.preview input[type=radio]').count(), 2);
  await admin.click('form[action$="/publish"] button');
  await admin.waitForSelector('text=កំណែទី ១');

  // Sokha's phone downloads the form with her caseload, then loses the network.
  const { context, page } = await phone('sokha');
  await setUp(page);
  const childId = await inFollowUp(page);
  await context.setOffline(true);
  await page.reload();
  await unlock(page);
  await page.click(`#carried a[href="#/child/${childId}"]`);
  await page.click('.actions a:has-text("ការពិនិត្យទឹកស្អាត")');
  await page.waitForSelector('#offline-form');
  await page.click('#offline-form label:has-text("គ្មាន")');
  await page.click('#offline-form button.primary');
  await page.waitForSelector('#outbox');
  assert.equal(await page.locator('#outbox li.waiting').count(), 1);
  // A flag raised on the phone too.
  await page.click(`#carried a[href="#/child/${childId}"]`);
  await page.click(`.actions a[href="#/form/flag/${childId}"]`);
  await page.selectOption('#f-kind', 'runaway');
  await page.fill('#f-reason', 'រត់ចេញពីផ្ទះពីរដង');
  await page.click('#offline-form button.primary');
  await page.waitForSelector('#outbox');
  await context.setOffline(false);
  await page.waitForFunction(() => document.querySelectorAll('#outbox li.waiting').length === 0 && document.querySelectorAll('#accepted li').length >= 2, null, { timeout: 20000 });

  // On the server: the answer on the case's timeline, the flag at the top of the record.
  await page.goto(`${server.base}/children/${childId}/case`);
  const caseText = await page.textContent('main');
  assert.ok(caseText.includes('ការពិនិត្យទឹកស្អាត') && caseText.includes('មានទឹកស្អាតផឹកនៅផ្ទះទេ: គ្មាន'), caseText.slice(0, 400));
  assert.match(await page.textContent('.flags-box'), /ហានិភ័យរត់ចេញ/);
  // Back on the phone, the flag is the first thing on the child.
  await open(page, `#/child/${childId}`);
  await page.waitForSelector('.flags-box');
  assert.match(await page.textContent('.flags-box'), /រត់ចេញពីផ្ទះពីរដង/);
  await context.close();

  // The manager's dashboard counts it; its report says how many answered "no", girls apart.
  const manager = await signIn(browser, server, 'vannak', { viewport: { width: 1280, height: 900 } });
  await manager.goto(server.base + '/dashboard');
  const forms = manager.locator('#own-forms');
  assert.match(await forms.textContent(), /ការពិនិត្យទឹកស្អាត/);
  await forms.locator('a:has-text("ការពិនិត្យទឹកស្អាត")').click();
  await manager.waitForSelector('h2:has-text("មានទឹកស្អាតផឹកនៅផ្ទះទេ")');
  const row = await manager.locator('tr:has-text("គ្មាន") td').textContent();
  assert.match(row.trim(), /^១ \(ស្រី [០១]\)$/, row);
  await manager.context().close();
  await admin.context().close();
});

test('a form on the child record is updated on a phone in Khmer, and a photo taken offline arrives', async () => {
  const { context, page } = await phone('sokha');
  await setUp(page);
  const childId = await inFollowUp(page);
  // The child's page, online: the schooling form of the demo, filled in or not yet.
  await page.goto(`${server.base}/children/${childId}`);
  const own = page.locator('#own-forms');
  assert.match(await own.locator('h2').textContent(), /ទម្រង់ផ្ទាល់ខ្លួនរបស់យើង/);
  await own.locator('article:has-text("ការសិក្សា") a.button').click();
  await page.waitForSelector('input[name="f3"]');
  // A grade written in Khmer digits.
  await page.check('input[name="f1"][value="yes"]');
  await page.fill('input[name="f3"]', '៦');
  await page.fill('input[name="f2"]', 'សាលាបឋមសិក្សាវត្តបូព៌');
  await Promise.all([page.waitForURL(new RegExp(`/children/${childId}#own-forms$`)), page.click('form button.primary')]);
  const answered = await page.locator('#own-forms article:has-text("ការសិក្សា")').textContent();
  assert.ok(answered.includes('ថ្នាក់ទី: ៦') && answered.includes('សាលាបឋមសិក្សាវត្តបូព៌'), answered);

  // With no network, a profile photo taken on the phone waits, then arrives small and upright.
  await page.goto(server.base + '/app');
  await unlock(page);
  await context.setOffline(true);
  await open(page, `#/form/profile-photo/${childId}`);
  // A photo as a camera hands it over: a real JPEG, made by the browser itself.
  const photo = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 640; c.height = 480;
    const g = c.getContext('2d');
    g.fillStyle = '#c87828'; g.fillRect(0, 0, 640, 480);
    g.fillStyle = '#2858c8'; g.fillRect(100, 100, 200, 150);
    return c.toDataURL('image/jpeg', 0.9).split(',')[1];
  });
  await page.setInputFiles('#f-photo', { name: 'camera.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(photo, 'base64') });
  await page.click('#offline-form button.primary');
  await page.waitForSelector('#outbox');
  assert.equal(await page.locator('#outbox li.waiting').count(), 1);
  await context.setOffline(false);
  await page.waitForFunction(() => document.querySelectorAll('#outbox li.waiting').length === 0, null, { timeout: 20000 });
  await page.goto(`${server.base}/children/${childId}`);
  await page.waitForSelector('img.profile-photo');
  const size = await page.evaluate(() => { const i = document.querySelector('img.profile-photo'); return i.complete && i.naturalWidth; });
  assert.ok(size > 0, 'the photo loads');
  await context.close();
});

test('a place and a household member are picked on a form, on the page and on a phone offline', async () => {
  // The administrator adds a form asking for a village and a person of the household.
  const admin = await signIn(browser, server, 'admin', { viewport: { width: 1280, height: 900 } });
  await admin.goto(server.base + '/admin/forms');
  await admin.fill('#name_km', 'ប្រភពគ្រួសារ');
  await Promise.all([admin.waitForURL(/\/admin\/forms\/[0-9a-f-]+$/), admin.click('form[action="/admin/forms"] button.primary')]);
  const formId = admin.url().split('/').pop();
  for (const [kind, label] of [['place', 'ភូមិកំណើត'], ['person', 'អ្នកថែទាំចម្បង']]) {
    await admin.selectOption('#kind', kind);
    await admin.fill('#label_km', label);
    await admin.click('form[action$="/fields"] button.primary');
    await admin.waitForSelector(`.form-fields li:has-text("${label}")`);
  }
  await admin.click('form[action$="/publish"] button');
  await admin.waitForSelector('text=កំណែទី ១');
  await admin.context().close();

  // On Sokha's phone, online: the village picked level by level (each level loads the next).
  const { context, page } = await phone('sokha');
  await setUp(page);
  const childId = await inFollowUp(page);
  await page.goto(`${server.base}/children/${childId}/case/custom/${formId}`);
  await page.waitForSelector('fieldset[data-place-picker]');
  await page.selectOption('#q-f1-province', '02');
  for (const level of ['district', 'commune', 'f1']) {
    const id = level === 'f1' ? '#q-f1' : `#q-f1-${level}`;
    await page.waitForFunction((sel) => document.querySelector(sel).options.length > 1, id);
    const value = await page.locator(`${id} option`).nth(1).getAttribute('value');
    await page.selectOption(id, value);
  }
  const village = await page.inputValue('#q-f1');
  assert.match(village, /^02\d{6}$/);
  const people = page.locator('input[type=radio][name="f2"]');
  if (await people.count() > 0) await people.first().check();
  await Promise.all([page.waitForURL(new RegExp(`/children/${childId}/case#timeline$`)), page.click('form button.primary')]);
  const timeline = await page.textContent('main');
  assert.ok(timeline.includes('ភូមិកំណើត: ') && timeline.includes('បាត់ដំបង'), timeline.slice(0, 600));

  // Offline, the same form picks the village from the provinces the phone carries.
  await page.goto(server.base + '/app');
  await unlock(page);
  await context.setOffline(true);
  await open(page, `#/form/custom:${formId}/${childId}`);
  await page.waitForSelector('#offline-form fieldset.place');
  assert.ok(await page.locator('#f-f1-0 option').count() > 1, 'the carried provinces');
  await context.close();
});
