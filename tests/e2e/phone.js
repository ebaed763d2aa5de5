// The offline app driven on a phone-sized browser, for the browser tests: sign in, set the app
// up, unlock it, open its screens, write a note with no network. `t` holds the running server
// and browser (filled in by the test file's `before`).
'use strict';

module.exports = function phoneKit(t) {
  async function phone(username, password) {
    const context = await t.browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    page.on('dialog', (d) => d.accept());
    await page.goto(t.server.base + '/login');
    await page.fill('#username', username);
    await page.fill('#password', password || t.server.password);
    await Promise.all([page.waitForURL(t.server.base + '/'), page.click('button.primary')]);
    return { context, page };
  }

  // Set up the offline app on this browser and wait until it has the caseload.
  async function setUp(page, name, password) {
    await page.goto(t.server.base + '/app');
    await page.waitForSelector('#device-password');
    if (name) await page.fill('#device-name', name);
    await page.fill('#device-password', password || t.server.password);
    await page.click('form.offline-form button.primary');
    await page.waitForSelector('#carried');
    await page.waitForFunction(() => document.querySelector('#last-sync') && !/never|មិនដែល/.test(document.querySelector('#last-sync').textContent));
    // The service worker controls the page, so the app opens again with no network.
    await page.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller);
  }

  // Type the password on the unlock screen and wait until it opened the copy.
  async function typePassword(page, password) {
    await page.waitForSelector('#unlock-password');
    await page.fill('#unlock-password', password || t.server.password);
    await page.click('form.offline-form button.primary');
    await page.waitForSelector('#unlock-password', { state: 'detached' });
  }

  async function unlock(page) {
    await typePassword(page);
    await page.waitForSelector('#carried');
  }

  // A carried child in follow-up (its case is open): her card says when the next visit is due.
  async function inFollowUp(page) {
    const card = page.locator('#carried li', { hasText: 'ត្រូវចុះតាមដាន' }).first();
    return (await card.locator('a').getAttribute('href')).split('/').pop();
  }

  // Write a case note with no network: it waits on the device. `fill` sets other fields first.
  async function noteOffline(page, childId, text, fill) {
    await open(page, `#/form/note/${childId}`);
    await page.waitForSelector('#f-text');
    if (fill) await fill(page);
    if (text) await page.fill('#f-text', text);
    await page.click('#offline-form button.primary');
    await page.waitForSelector('#outbox');
  }

  // Open one of the app's screens; every opening asks for the password first.
  async function open(page, hash) {
    await page.goto(`${t.server.base}/app${hash}`);
    await page.waitForSelector('#unlock-password, #view > *:not(p:only-child)');
    if (await page.isVisible('#unlock-password')) await typePassword(page);
  }

  return { phone, setUp, typePassword, unlock, inFollowUp, noteOffline, open };
};
