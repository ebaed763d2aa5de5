// Prints what the every-page walk finds, for each demo user (USERS=a,b LANGS=km,en LIMIT=n AXE=1):
// the same checks as every-page.test.js, as a list to work from rather than a failing test.
'use strict';
const { startDemo, launch, signIn } = require('./server');
const { crawl } = require('./crawl');
(async () => {
  const server = await startDemo();
  const browser = await launch();
  try {
    for (const user of (process.env.USERS || 'sokha,sreymom,vannak,admin,intake,mosvy,sysadmin').split(',')) {
      for (const lang of (process.env.LANGS || 'km,en').split(',')) {
        const page = await signIn(browser, server, user, { bypassCSP: process.env.AXE === '1' });
        const context = page.context();
        if ((await page.getAttribute('html', 'lang')) !== lang) { await page.click('form.lang button'); await page.waitForLoadState(); }
        const { report, visited } = await crawl(page, server.base, lang, +(process.env.LIMIT || 80), process.env.AXE === '1' ? new Set() : null);
        console.log(`== ${user} ${lang}: ${visited} pages`);
        for (const [k, v] of Object.entries(report)) console.log(k + '\n   ' + v.join('\n   '));
        await context.close();
      }
    }
  } finally { await browser.close(); server.stop(); }
})();
