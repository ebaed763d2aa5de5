// The offline app in real Chromium, with the network switched off by Playwright: a worker sets up
// her phone, reopens the app with no network (her password opens the encrypted copy), records a
// follow-up visit with a photo and a note, and sees them reach the server when the network is
// back; two people correct the same child offline and the conflict waits for the worker, who
// chooses; a lost phone revoked by the administrator is refused and wiped.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startDemo, launch } = require('./server');

let server, browser;
const t = {};
const { phone, setUp, unlock, inFollowUp, noteOffline, open } = require('./phone')(t);

// A 1×1 PNG, as a camera picture would arrive (the app turns it into a small JPEG).
const PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

before(async () => {
  server = t.server = await startDemo();
  browser = t.browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

test('a visit and a note recorded with no network reach the server when it comes back', async () => {
  const { context, page } = await phone('sokha');
  await setUp(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'km');
  // Chromium could install it as an app (a test browser context is always private, which is the
  // one thing it lists), and reads the manifest without an error.
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors.map((e) => e.errorId).filter((e) => e !== 'in-incognito'), []);
  assert.deepEqual((await cdp.send('Page.getAppManifest')).errors, []);
  await cdp.detach();
  const childId = await inFollowUp(page);

  await context.setOffline(true);
  await page.reload();
  await unlock(page);
  assert.match(await page.textContent('#net'), /គ្មានបណ្តាញ/, 'the app says it is offline');
  await page.click(`#carried a[href="#/child/${childId}"]`);
  await page.click('.actions a.primary');
  await page.waitForSelector('#offline-form');
  await page.check('#f-child_seen');
  await page.fill('#f-obs_education', 'ទៅរៀនជារៀងរាល់ថ្ងៃ');
  await page.setInputFiles('#f-photo', { name: 'visit.png', mimeType: 'image/png', buffer: PHOTO });
  await page.click('#offline-form button.primary');
  await page.waitForSelector('#outbox');
  await page.click(`#carried a[href="#/child/${childId}"]`);
  await page.click(`.actions a[href="#/form/note/${childId}"]`);
  await page.fill('#f-text', 'ម្តាយនិយាយថាកុមារសុខសប្បាយ');
  await page.click('#offline-form button.primary');
  await page.waitForSelector('#outbox');
  assert.equal(await page.locator('#outbox li.waiting').count(), 2, 'both wait to be sent');
  // Nothing readable is kept on the device: the copy is encrypted.
  const plain = await page.evaluate(() => new Promise((ok) => {
    const r = indexedDB.open('krousar-offline');
    r.onsuccess = () => {
      const t = r.result.transaction(['children', 'outbox'], 'readonly');
      const out = [];
      t.objectStore('children').getAll().onsuccess = (e) => out.push(...e.target.result);
      t.objectStore('outbox').getAll().onsuccess = (e) => out.push(...e.target.result);
      t.oncomplete = () => ok(JSON.stringify(out.map((x) => Object.keys(x).concat(typeof x.enc.data))));
    };
  }));
  assert.ok(!plain.includes('ម្តាយ') && plain.includes('object'), 'records are sealed: ' + plain.slice(0, 200));

  await context.setOffline(false);
  await page.waitForFunction(() => document.querySelectorAll('#outbox li.waiting').length === 0 && document.querySelectorAll('#accepted li').length >= 2, null, { timeout: 20000 });
  assert.match(await page.textContent('#accepted'), /បានទទួលយក/);

  // On the server: the visit with its photo, and the note, on the child's case.
  await page.goto(`${server.base}/children/${childId}/case`);
  const caseText = await page.textContent('main');
  assert.ok(caseText.includes('ម្តាយនិយាយថាកុមារសុខសប្បាយ'), 'the note is on the case');
  assert.ok(caseText.includes('ទៅរៀនជារៀងរាល់ថ្ងៃ'), 'the visit is on the case');
  assert.ok(caseText.includes('photo.jpg'), 'the photo is attached');
  await context.close();
});

test('a sync ending while a form is filled in keeps what was typed; a photo that is not one is refused and nothing is kept', async () => {
  const { context, page } = await phone('sokha');
  await setUp(page);
  const childId = await inFollowUp(page);
  await page.evaluate((id) => { location.hash = '#/form/note/' + id; }, childId);
  await page.waitForSelector('#f-text');
  await page.fill('#f-text', 'ឪពុកត្រឡប់មកផ្ទះវិញហើយ');
  // A sync (the five-minute one, or the network coming back) ends while she types.
  await page.evaluate(() => window.KrousarOffline.sync());
  assert.equal(await page.inputValue('#f-text'), 'ឪពុកត្រឡប់មកផ្ទះវិញហើយ', 'the sync did not draw the form again');

  // A profile photo that is no picture: said by the button, the form stays, the outbox stays empty.
  await page.evaluate((id) => { location.hash = '#/form/profile-photo/' + id; }, childId);
  await page.setInputFiles('#f-photo', { name: 'camera.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a picture at all') });
  await page.click('#offline-form button.primary');
  await page.waitForFunction(() => /រូបថត/.test(document.querySelector('#offline-form .error-text').textContent));
  assert.equal(await page.isEnabled('#offline-form button.primary'), true, 'she can choose another photo and save again');
  const kept = await page.evaluate(() => window.KrousarOffline.all('outbox').then((r) => r.length));
  assert.equal(kept, 0);
  await context.close();
});

test('a notice pushed to the phone is shown by the app\'s service worker, naming no child', async () => {
  const { context, page } = await phone('sokha');
  await setUp(page);
  // The day's list offers notices on this phone.
  await page.waitForSelector('#push button');
  assert.match(await page.textContent('#push'), /ការជូនដំណឹង/);
  await context.grantPermissions(['notifications'], { origin: server.base });
  await page.click('#push-on');
  // Whether or not Chromium's own push service answers here, the app says where it stands and stays usable.
  const help = await page.textContent('#push [role=status]');
  await page.waitForFunction((before) => document.querySelector('#push [role=status]').textContent !== before && document.querySelector('#push button:not([disabled])') !== null, help);
  const said = await page.textContent('#push [role=status]');
  // On: the box says so and offers to stop; refused by the browser's push service: it says so.
  assert.ok(['ការជូនដំណឹងមកដល់ទូរស័ព្ទនេះ។', 'មិនអាចរៀបចំទូរស័ព្ទនេះសម្រាប់ការជូនដំណឹងបានទេ។ សូមព្យាយាមម្តងទៀតនៅពេលមានបណ្តាញ។'].includes(said.trim()), said);

  // A push with what the server puts in one (as the browser has it once decrypted), handed to
  // the service worker; the server's own making and encrypting of it is the HTTP tests'.
  const cdp = await context.newCDPSession(page);
  const registered = new Promise((ok) => cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
    const r = e.registrations.find((x) => x.scopeURL.startsWith(server.base) && !x.isDeleted);
    if (r) ok(r.registrationId);
  }));
  await cdp.send('ServiceWorker.enable');
  const registrationId = await registered;
  const notice = '0190aaaa-bbbb-7ccc-8ddd-eeeeffff0000';
  const data = JSON.stringify({ title: 'Krousar', body: 'ការអនុម័តមួយកំពុងរង់ចាំការសម្រេចរបស់អ្នក', link: `/notifications/${notice}`, tag: notice });
  await cdp.send('ServiceWorker.deliverPushMessage', { origin: new URL(server.base).origin, registrationId, data });
  const shown = await page.evaluate(async () => {
    for (let i = 0; i < 50; i++) {
      const list = await (await navigator.serviceWorker.ready).getNotifications();
      if (list.length) return list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, link: n.data && n.data.link }));
      await new Promise((r) => setTimeout(r, 100));
    }
    return [];
  });
  assert.equal(shown.length, 1, JSON.stringify(shown));
  assert.deepEqual(shown[0], { title: 'Krousar', body: 'ការអនុម័តមួយកំពុងរង់ចាំការសម្រេចរបស់អ្នក', tag: notice, link: `/notifications/${notice}` });
  await cdp.detach();
  await context.close();
});

test('a child registered offline, with a village picked from the carried provinces, is registered when back online', async () => {
  const { context, page } = await phone('sokha');
  await setUp(page);
  await context.setOffline(true);
  await open(page, '#/form/register/new');
  await page.waitForSelector('#f-given_name_km');
  await page.fill('#f-family_name_km', 'កែវ');
  await page.fill('#f-given_name_km', 'សុភាព');
  await page.fill('#f-given_name_latin', 'Sopheap');
  await page.check('#offline-form input[name="sex"][value="female"]');
  await page.fill('#f-estimated_age', '9');
  // Province → district → commune → village, each list filled from the one above.
  for (let i = 0; i < 4; i++) {
    const value = await page.locator(`#f-village_code-${i} option:nth-child(2)`).getAttribute('value');
    await page.selectOption(`#f-village_code-${i}`, value);
  }
  const village = await page.inputValue('#f-village_code');
  assert.match(village, /^[0-9]{8}$/);
  const villageName = (await page.locator('#f-village_code-3 option:checked').textContent()).trim();
  await page.click('#offline-form button.primary');
  await page.waitForSelector('#outbox');
  await context.setOffline(false);
  await page.waitForFunction(() => document.querySelectorAll('#outbox li.waiting').length === 0 && document.querySelector('#accepted'), null, { timeout: 20000 });
  await page.goto(server.base + '/children?q=sopheap');
  await Promise.all([page.waitForNavigation(), page.click('table.list a')]);
  const facts = await page.textContent('.facts');
  assert.ok(facts.includes('កែវ សុភាព'), facts);
  assert.ok(facts.includes(villageName), `the address is the village picked offline (${villageName}): ${facts}`);
  await context.close();
});

test('a record the server refuses comes back with its messages, is corrected and sent', async () => {
  const { context, page } = await phone('sokha');
  await setUp(page);
  const childId = await inFollowUp(page);
  await context.setOffline(true);
  await noteOffline(page, childId, '', (p) => p.fill('#f-noted_on', '2999-01-01'));
  await context.setOffline(false);
  // The server checks it like the page would: a date in the future, no text.
  await page.waitForSelector('#decisions .needs', { timeout: 20000 });
  await page.click('#decisions .needs a.button');
  await page.waitForSelector('#f-noted_on-error');
  assert.equal(await page.getAttribute('#f-noted_on', 'aria-invalid'), 'true');
  assert.ok((await page.textContent('#f-text-error')).length > 0, 'the missing text is said next to its field');
  await page.fill('#f-noted_on', new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10));
  await page.fill('#f-text', 'បានកែតម្រូវកាលបរិច្ឆេទ');
  await page.click('#offline-form button.primary');
  await page.waitForFunction(() => !document.querySelector('#decisions .needs') && document.querySelectorAll('#outbox li.waiting').length === 0 && document.querySelector('#accepted'), null, { timeout: 20000 });
  await page.goto(`${server.base}/children/${childId}/case`);
  assert.ok((await page.textContent('main')).includes('បានកែតម្រូវកាលបរិច្ឆេទ'));
  await context.close();
});

test('a copy not brought up to date for the organisation\'s days is wiped when opened; unsent work is kept', async () => {
  const { context, page } = await phone('sokha');
  await setUp(page);
  const childId = await inFollowUp(page);
  await context.setOffline(true);
  await noteOffline(page, childId, 'កត់មុនផុតកំណត់');
  // Fifteen days later, with no network (the demo organisation keeps the default, 14). The time
  // of the last sync is sealed on the device: only the clock moving on can make it old.
  await page.clock.install({ time: new Date(Date.now() + 15 * 24 * 3600 * 1000) });
  await page.reload();
  await unlock(page);
  assert.match(await page.textContent('#notice'), /១៤ ថ្ងៃ/, 'the worker is told why, in Khmer digits');
  assert.equal(await page.locator('#carried li').count(), 0, 'the cases were wiped');
  assert.equal(await page.locator('#outbox li.waiting').count(), 1, 'the unsent note was kept');
  await context.setOffline(false);
  await page.waitForFunction(() => document.querySelectorAll('#outbox li.waiting').length === 0 && document.querySelectorAll('#carried li').length > 0, null, { timeout: 20000 });
  await page.goto(`${server.base}/children/${childId}/case`);
  assert.ok((await page.textContent('main')).includes('កត់មុនផុតកំណត់'));
  await context.close();
});

test('the same child corrected offline by two people: the worker decides the conflict', async () => {
  const a = await phone('sokha');
  const b = await phone('sreymom');
  await setUp(a.page);
  const link = a.page.locator('#carried li a').first();
  const childId = (await link.getAttribute('href')).split('/').pop();
  // The supervisor takes the child offline from its page, then sets up her phone.
  await b.page.goto(`${server.base}/children/${childId}`);
  await Promise.all([b.page.waitForNavigation(), b.page.click('form[action$="/offline"] button[value="1"]')]);
  assert.ok(await b.page.isVisible('form[action$="/offline"] button[value="0"]'));
  await setUp(b.page);
  assert.ok(await b.page.isVisible(`#carried a[href="#/child/${childId}"]`));

  for (const [who, nick] of [[a, 'ពៅ'], [b, 'ស្រីពៅ']]) {
    await who.context.setOffline(true);
    await open(who.page, `#/form/child-edit/${childId}`);
    await who.page.waitForSelector('#f-nickname');
    await who.page.fill('#f-nickname', nick);
    await who.page.click('#offline-form button.primary');
    await who.page.waitForSelector('#outbox');
  }
  await a.context.setOffline(false);
  await a.page.waitForFunction(() => document.querySelectorAll('#accepted li').length >= 1, null, { timeout: 20000 });
  await b.context.setOffline(false);
  await b.page.waitForSelector('#decisions .conflict-item', { timeout: 20000 });
  const shown = await b.page.textContent('#decisions');
  assert.ok(shown.includes('ពៅ') && shown.includes('ស្រីពៅ'), 'both values are shown: ' + shown);

  // The worker sees it too, on the conflicts page, and chooses the supervisor's value.
  await a.page.goto(server.base + '/conflicts');
  assert.ok((await a.page.textContent('.conflict .value-server')).includes('ពៅ'));
  assert.equal((await a.page.textContent('.conflict .value-device')).trim(), 'ស្រីពៅ');
  await Promise.all([a.page.waitForNavigation(), a.page.click('.conflict button[value="device"]')]);
  assert.equal(await a.page.locator('.conflict').count(), 0);
  await a.page.goto(`${server.base}/children/${childId}`);
  assert.ok((await a.page.textContent('.facts')).includes('ស្រីពៅ'));
  await a.context.close();
  await b.context.close();
});

test('a lost phone revoked by the administrator is refused and wiped; signing out wipes too', async () => {
  const lost = await phone('sokha');
  await setUp(lost.page, 'Lost phone');
  const childId = await inFollowUp(lost.page);
  await lost.context.setOffline(true);
  await noteOffline(lost.page, childId, 'កំណត់ត្រាពីទូរស័ព្ទដែលបាត់');

  const admin = await phone('admin');
  await admin.page.goto(server.base + '/admin/devices');
  await Promise.all([admin.page.waitForNavigation(), admin.page.click('button[aria-label$="Lost phone"]')]);
  assert.match(await admin.page.textContent('main'), /បានដកសិទ្ធិ/);

  await lost.context.setOffline(false);
  await lost.page.waitForSelector('#device-password, #notice.notice', { timeout: 20000 });
  await lost.page.waitForFunction(() => /ដកសិទ្ធិ/.test(document.querySelector('#notice').textContent), null, { timeout: 20000 });
  const left = await lost.page.evaluate(() => new Promise((ok) => {
    const r = indexedDB.open('krousar-offline');
    r.onsuccess = () => {
      const t = r.result.transaction(['children', 'outbox', 'meta'], 'readonly');
      let n = 0;
      ['children', 'outbox'].forEach((s) => { t.objectStore(s).count().onsuccess = (e) => { n += e.target.result; }; });
      t.objectStore('meta').get('device').onsuccess = (e) => { if (e.target.result) n += 1; };
      t.oncomplete = () => ok(n);
    };
  }));
  assert.equal(left, 0, 'nothing is left on the revoked device');
  await admin.page.goto(`${server.base}/children/${childId}/case`);
  assert.ok(!(await admin.page.content()).includes('កំណត់ត្រាពីទូរស័ព្ទដែលបាត់'), 'what it carried was not taken');

  // Signing out with work not yet sent: the browser asks first, then keeps nothing.
  const mine = await phone('sokha');
  await setUp(mine.page);
  await mine.context.setOffline(true);
  await noteOffline(mine.page, childId, 'មិនទាន់ផ្ញើ');
  // The network comes back but sending fails (a line too weak): the work is still unsent.
  await mine.context.route('**/api/v1/sync/push', (r) => r.abort());
  await mine.context.setOffline(false);
  let asked = '';
  mine.page.removeAllListeners('dialog');
  mine.page.on('dialog', (d) => { asked = d.message(); d.accept(); });
  await mine.page.goto(server.base + '/');
  // On a phone, signing out is in the menu.
  await mine.page.click('details.menu summary');
  await Promise.all([mine.page.waitForURL(/\/login$/), mine.page.click('form.logout button')]);
  assert.match(asked, /មិនទាន់បានផ្ញើ/);
  await mine.context.unroute('**/api/v1/sync/push');
  const count = await mine.page.evaluate(() => new Promise((ok) => {
    const r = indexedDB.open('krousar-offline');
    r.onupgradeneeded = () => ok('empty');
    r.onsuccess = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains('outbox')) return ok('empty');
      db.transaction('outbox').objectStore('outbox').count().onsuccess = (e) => ok(e.target.result === 0 ? 'empty' : 'kept');
    };
  }));
  assert.equal(count, 'empty', 'signing out wiped the device');
  await lost.context.close();
  await admin.context.close();
  await mine.context.close();
});
