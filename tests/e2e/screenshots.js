// Screenshots of the pages a social worker uses most, on a 360-pixel phone in Khmer, for review
// in docs/screenshots/ (run by hand after changing a page: `node tests/e2e/screenshots.js`).
// Prints each page's height, the measure of how much scrolling it asks of a phone.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { startDemo, launch, signIn } = require('./server');

const out = path.resolve(__dirname, '../../docs/screenshots');

const phone = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 1, locale: 'km-KH' };

(async () => {
  fs.mkdirSync(out, { recursive: true });
  const server = await startDemo();
  const browser = await launch();
  try {
    const guest = await (await browser.newContext(phone)).newPage();
    await guest.goto(server.base + '/login');
    await guest.screenshot({ path: path.join(out, 'sign-in.png'), fullPage: true });
    const worker = await signIn(browser, server, 'sokha', phone);
    const shoot = async (page, name, url) => {
      await page.goto(server.base + url);
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      await page.screenshot({ path: path.join(out, name + '.png'), fullPage: process.env.FULL === '1' });
      console.log(`${name}: ${url} ${height}px tall`);
      return page;
    };
    await shoot(worker, 'worker-home', '/');
    const caseUrl = await worker.$eval('a[href*="/case"]', (a) => new URL(a.href).pathname).catch(() => null);
    if (caseUrl) await shoot(worker, 'case-page', caseUrl);
    await shoot(worker, 'children-list', '/children');
    const boss = await signIn(browser, server, 'sreymom', phone);
    await shoot(boss, 'dashboard', '/dashboard');
  } finally {
    await browser.close();
    server.stop();
  }
})();
