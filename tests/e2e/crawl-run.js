'use strict';
const { startDemo, launch } = require('./server');
const { crawl } = require('./crawl');
(async () => {
  const server = await startDemo();
  const browser = await launch();
  try {
    for (const user of (process.env.USERS || 'sokha,sreymom,vannak,admin,intake,mosvy,sysadmin').split(',')) {
      for (const lang of (process.env.LANGS || 'km,en').split(',')) {
        const context = await browser.newContext({ viewport: { width: 360, height: 740 }, bypassCSP: process.env.AXE === '1' });
        const page = await context.newPage();
        await page.goto(server.base + '/login');
        await page.fill('#username', user);
        await page.fill('#password', server.password);
        await page.click('button.primary');
        await page.waitForURL(server.base + '/');
        if ((await page.getAttribute('html', 'lang')) !== lang) { await page.click('form.lang button'); await page.waitForLoadState(); }
        const { report, visited } = await crawl(page, server.base, lang, +(process.env.LIMIT || 80), process.env.AXE === '1' ? new Set() : null);
        console.log(`== ${user} ${lang}: ${visited} pages`);
        for (const [k, v] of Object.entries(report)) console.log(k + '\n   ' + v.join('\n   '));
        await context.close();
      }
    }
  } finally { await browser.close(); server.stop(); }
})();
