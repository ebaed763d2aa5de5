// What a lost phone or a copied browser profile gives away, in real Chromium (issue 20): after a
// password reset the old password no longer opens the phone's copy and the new one does; the
// wrapping costs 600,000 rounds; a colleague signing in on the owner's browser locks the copy
// but never wipes unsent work; no child's name is in a window title or the browser's history; a
// row of the copy moved or put back does not open; the app locks itself when left alone.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startDemo, launch } = require('./server');

const t = {};
const { phone, setUp, typePassword, unlock, inFollowUp, noteOffline } = require('./phone')(t);
const NEW_PASSWORD = 'a new password after the reset';

before(async () => {
  t.server = await startDemo();
  t.browser = await launch();
});

after(async () => {
  if (t.browser) await t.browser.close();
  if (t.server) t.server.stop();
});

// What the device keeps, read straight from IndexedDB as someone with the profile would.
function kept(page) {
  return page.evaluate(() => new Promise((ok) => {
    const r = indexedDB.open('krousar-offline');
    r.onsuccess = () => {
      const tx = r.result.transaction(['meta', 'children', 'outbox'], 'readonly');
      const out = {};
      tx.objectStore('meta').get('device').onsuccess = (e) => { out.device = e.target.result || null; };
      tx.objectStore('children').count().onsuccess = (e) => { out.children = e.target.result; };
      tx.objectStore('outbox').count().onsuccess = (e) => { out.outbox = e.target.result; };
      tx.oncomplete = () => ok(out);
    };
  }));
}

async function resetPassword(username, password) {
  const admin = await phone('admin');
  await admin.page.goto(t.server.base + '/admin/users');
  await Promise.all([admin.page.waitForNavigation(), admin.page.click(`table a:text-is("${username}")`)]);
  await admin.page.fill('#new_password', password);
  await Promise.all([admin.page.waitForNavigation(), admin.page.click('form.record-form button.primary')]);
  await admin.context.close();
}

async function refusedWith(page, password) {
  await page.fill('#unlock-password', password);
  await page.click('form.offline-form button.primary');
  await page.waitForFunction(() => document.querySelector('#view .error-text').textContent.length > 0, null, { timeout: 20000 });
  assert.ok(await page.isVisible('#unlock-password'), 'the copy stays closed');
}

test('after a password reset the old password opens nothing and the new one opens the copy, online and offline', async () => {
  const { context, page } = await phone('dara');
  await setUp(page);
  const before = await kept(page);
  assert.equal(before.device.wrap.rounds, 600000, 'the wrapping costs 600,000 rounds of PBKDF2-SHA-256');
  assert.ok(before.children > 0);

  await resetPassword('dara', NEW_PASSWORD);
  await page.reload();
  await refusedWith(page, t.server.password);
  // Refused online, the phone learnt the password changed: offline, the old one opens nothing
  // either, and the worker is told to connect and use the new one.
  await context.setOffline(true);
  await page.reload();
  await refusedWith(page, t.server.password);
  assert.match(await page.textContent('#view .error-text'), /ផ្លាស់ប្តូរ/);
  assert.equal((await kept(page)).device.wrap, undefined, 'the stale wrapping is gone');
  await context.setOffline(false);
  await page.reload();
  await typePassword(page, NEW_PASSWORD);
  await page.waitForSelector('#carried li');
  const after = await kept(page);
  assert.notEqual(after.device.wrap.epoch, '', 'the wrapping knows the password it was made with');

  // With no network: still the new password only.
  await context.setOffline(true);
  await page.reload();
  await refusedWith(page, t.server.password);
  await typePassword(page, NEW_PASSWORD);
  await page.waitForSelector('#carried li');
  await context.close();
});

test('unsent work kept by an older version of the app survives a password reset', async () => {
  const THIRD = 'a third password after another reset';
  const { context, page } = await phone('dara', NEW_PASSWORD);
  await setUp(page, 'Dara phone', NEW_PASSWORD);
  await context.setOffline(true);
  // A note written offline, then kept as the previous version of the app kept it: sealed with
  // the device's key and no place bound to it.
  const childId = await page.evaluate(async () => {
    const K = window.KrousarOffline, S = K.S;
    const kid = Object.keys(S.children).find((id) => S.children[id].case && !S.children[id].case.closed);
    // The day in Cambodia, as the app and the server count days.
    const today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
    await K.record('note', kid, { kind: 'home_visit', noted_on: today, text: 'កំណត់ពីកំណែមុន' }, { label: 'note' });
    const [row] = await K.all('outbox');
    const item = await K.unsealRow('outbox', row);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, S.key, new TextEncoder().encode(JSON.stringify(item)));
    await K.put('outbox', { id: row.id, at: row.at, enc: { iv, data } });
    delete S.device.bound;
    await K.put('meta', S.device);
    return kid;
  });
  await page.reload();
  await page.waitForSelector('#unlock-password');

  // The password is reset: the device gets a new key and must carry its old work over.
  await resetPassword('dara', THIRD);
  await context.setOffline(false);
  await page.goto(t.server.base + '/login');
  await page.fill('#username', 'dara');
  await page.fill('#password', THIRD);
  await Promise.all([page.waitForURL(t.server.base + '/'), page.click('button.primary')]);
  await page.goto(t.server.base + '/app');
  await typePassword(page, THIRD);
  await page.waitForFunction(() => document.querySelectorAll('#outbox li.waiting').length === 0 && document.querySelector('#accepted'), null, { timeout: 20000 });
  assert.equal(await page.locator('#unreadable').count(), 0, 'nothing left that cannot be opened');
  await page.goto(`${t.server.base}/children/${childId}/case`);
  assert.ok((await page.textContent('main')).includes('កំណត់ពីកំណែមុន'), 'the old note reached the case');
  await context.close();
});

test('a colleague signing in on the owner\'s browser locks the copy and keeps the unsent work', async () => {
  const { context, page } = await phone('sokha');
  await setUp(page);
  const childId = await inFollowUp(page);
  await context.setOffline(true);
  await noteOffline(page, childId, 'មិនទាន់ផ្ញើ មុនមិត្តរួមការងារចូល');
  // Sending fails for now (a weak line): the note is still waiting when the colleague arrives.
  // (The line is cut before the network comes back: the app sends as soon as it is online.)
  await context.route('**/api/v1/sync/push', (r) => r.abort());
  await context.setOffline(false);

  // The colleague signs in on the same browser (her own session replaces the worker's).
  await context.clearCookies();
  await page.goto(t.server.base + '/login');
  await page.fill('#username', 'sreymom');
  await page.fill('#password', t.server.password);
  await Promise.all([page.waitForURL(t.server.base + '/'), page.click('button.primary')]);
  await context.unroute('**/api/v1/sync/push');
  await page.goto(t.server.base + '/app');
  // The worker types her password: the copy opens, then the colleague's session is refused.
  await page.fill('#unlock-password', t.server.password);
  await page.click('form.offline-form button.primary');
  await page.waitForFunction(() => /Chan Sokha|ចាន់ សុខា/.test(document.querySelector('#notice').textContent), null, { timeout: 20000 });
  assert.ok(await page.isVisible('#unlock-password'), 'the copy is locked');
  const left = await kept(page);
  assert.equal(left.outbox, 1, 'the unsent note is kept for its owner');
  assert.ok(left.device && left.children > 0, 'the device and its copy are kept');
  await context.close();
});

test('no child\'s name is in a window title or in the browser\'s history', async () => {
  const { context, page } = await phone('sokha');
  await setUp(page);
  const childId = await inFollowUp(page);
  const name = (await page.textContent(`#carried a[href="#/child/${childId}"]`)).trim();
  await page.click(`#carried a[href="#/child/${childId}"]`);
  await page.waitForSelector('.facts');
  assert.ok((await page.textContent('#title')).includes(name), 'the heading names her');
  assert.ok(!(await page.title()).includes(name), 'the window title does not: ' + (await page.title()));
  for (const path of [`/children/${childId}`, `/children/${childId}/case`, `/children/${childId}/edit`]) {
    await page.goto(t.server.base + path);
    assert.ok(!(await page.title()).includes(name), `${path}: ${await page.title()}`);
  }
  const cdp = await context.newCDPSession(page);
  const { entries } = await cdp.send('Page.getNavigationHistory');
  assert.ok(entries.length > 3);
  for (const e of entries) assert.ok(!e.title.includes(name), `history keeps "${e.title}"`);
  await context.close();
});

test('a row of the copy moved to another place does not open; the app locks itself when left alone', async () => {
  const { context, page } = await phone('sokha');
  await page.clock.install();
  await setUp(page);
  const before = await kept(page);
  assert.ok(before.children >= 2);
  // Someone with the profile swaps two children's sealed records.
  await page.evaluate(() => new Promise((ok) => {
    const r = indexedDB.open('krousar-offline');
    r.onsuccess = () => {
      const tx = r.result.transaction('children', 'readwrite');
      const store = tx.objectStore('children');
      store.getAll().onsuccess = (e) => {
        const [a, b] = e.target.result;
        store.put(Object.assign({}, a, { enc: b.enc }));
        store.put(Object.assign({}, b, { enc: a.enc }));
      };
      tx.oncomplete = () => ok();
    };
  }));
  await context.setOffline(true);
  await page.reload();
  await unlock(page);
  const ids = await page.$$eval('#carried li a', (as) => as.map((a) => a.getAttribute('href').split('/').pop()));
  assert.equal(ids.length, before.children - 2, 'the two moved records were dropped, not shown under each other\'s ids');

  // Left on a table: after the idle time the children leave the screen.
  await page.clock.fastForward('16:00');
  await page.waitForSelector('#unlock-password', { timeout: 20000 });
  assert.equal(await page.locator('#carried').count(), 0);
  assert.match(await page.textContent('#notice'), /ចាក់សោ/);
  await context.close();
});
