// Community groups in real Chromium, in Khmer, on a phone: the worker opens the demo's parenting
// club, records a session with who came and people counted in Khmer digits, finds a
// grandmother's name kept and a child she may not open unnamed; her supervisor sees the
// community figures and opens the sessions behind "people reached", each with its number.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startDemo, signIn, launch } = require('./server');

let server, browser;

before(async () => {
  server = await startDemo();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

test('the worker records a parenting club session on her phone', async () => {
  const page = await signIn(browser, server, 'sokha');
  assert.equal(await page.getAttribute('html', 'lang'), 'km');
  await page.goto(server.base + '/groups');
  await page.click('a:has-text("ក្លឹបឪពុកម្តាយ វត្តបូព៌")');
  assert.match(await page.textContent('#members + *'), /យាយ ស៊ីណា/);
  const before = await page.locator('#sessions + table tbody tr').count();
  await Promise.all([page.waitForURL(/\/sessions\/new$/), page.click('a[href$="/sessions/new"]')]);
  const boxes = page.locator('input[name="attended"]');
  assert.ok((await boxes.count()) >= 3, 'the members are offered');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.fill('#topic', 'ការលេងជាមួយកូន');
  await page.fill('#reached_female', '៣');
  await Promise.all([page.waitForURL(/\/groups\/[0-9a-f-]+#sessions$/), page.click('form button.primary')]);
  const rows = page.locator('#sessions + table tbody tr');
  assert.equal(await rows.count(), before + 1);
  const newest = await rows.first().textContent();
  assert.ok(newest.includes('ការលេងជាមួយកូន') && newest.includes('២'), newest);
  // A session in the future is refused with the message by its field, the form kept.
  await page.click('a[href$="/sessions/new"]');
  await page.fill('#held_on', '2099-01-01');
  await page.fill('#topic', 'នៅពេលអនាគត');
  await page.click('form button.primary');
  await page.waitForSelector('#held_on-err');
  assert.equal(await page.inputValue('#topic'), 'នៅពេលអនាគត');
  await page.context().close();
});

test('the supervisor sees the community figures and the sessions behind people reached', async () => {
  const page = await signIn(browser, server, 'sreymom', { viewport: { width: 1280, height: 900 } });
  await page.goto(server.base + '/indicators');
  const row = page.locator('tr', { hasText: 'មនុស្សដែលទទួលបានព័ត៌មានពីព្រឹត្តិការណ៍ផ្សព្វផ្សាយ' });
  const figure = (await row.locator('a').first().textContent()).trim();
  assert.match(figure, /^[០-៩]+ \([០-៩]+ស\)$|^[០-៩]+/, figure);
  await Promise.all([page.waitForURL(/\/indicators\/people_reached\?/), row.locator('a').first().click()]);
  const items = await page.locator('ul.records li').allTextContents();
  assert.ok(items.length >= 1, 'sessions listed');
  // Each session says how many it reached; together they make the figure.
  const toLatin = (s) => s.replace(/[០-៩]/g, (d) => String('០១២៣៤៥៦៧៨៩'.indexOf(d)));
  const sum = items.map((t) => Number(toLatin(t.split('—').pop()).replace(/[^0-9]/g, ''))).reduce((a, b) => a + b, 0);
  assert.equal(sum, Number(toLatin(figure).split(' ')[0].replace(/[^0-9]/g, '')), items.join(' | '));
  await page.context().close();
});
