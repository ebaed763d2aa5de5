// Importing a workbook in real Chromium, in Khmer: the administrator uploads a CSV of 4,000
// children, watches the check's progress bar, reads the report (a month-first date needs its
// fix accepted, an unknown column is kept), imports with the fixes accepted, watches that, and
// the manager finds the children registered. A social worker has no import page.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, signIn, launch } = require('./server');

let server, browser, admin, worker, manager;

before(async () => {
  server = await start();
  browser = await launch();
  admin = await signIn(browser, server, 'admin');
  worker = await signIn(browser, server, 'worker');
  manager = await signIn(browser, server, 'manager');
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

const N = 4000;

function workbook() {
  const rows = ['Child ID,Family name (Latin),Given name (Latin),Sex,Date of birth,Province,District,Favourite colour'];
  for (let i = 0; i < N; i++) {
    // Row 2 writes its date month first (03/25/2014): the report suggests 2014-03-25.
    const born = i === 0 ? '03/25/2014' : `${(i % 28) + 1}/${(i % 12) + 1}/${2008 + (i % 10)}`;
    rows.push(`E-${i},Import${i},Child${i},${i % 2 ? 'M' : 'F'},${born},Battambang,Banan,blue`);
  }
  return Buffer.from(rows.join('\n') + '\n');
}

async function waitForStatus(page, pattern) {
  for (let i = 0; i < 120; i++) {
    if (pattern.test(await page.textContent('#import-status'))) return;
    await page.waitForTimeout(500);
    await page.reload();
  }
  throw new Error('status never matched ' + pattern);
}

test('the administrator checks a workbook, reads the report and imports it with progress', async () => {
  await admin.goto(server.base + '/admin/import');
  await admin.setInputFiles('#file', { name: 'children.csv', mimeType: 'text/csv', buffer: workbook() });
  await Promise.all([admin.waitForNavigation(), admin.click('button.primary')]);
  assert.match(admin.url(), /\/admin\/import\/[0-9a-f-]{36}$/);
  // The check is still running: its progress bar is shown.
  assert.equal(await admin.isVisible('#import-progress'), true, 'a progress bar while checking');
  await waitForStatus(admin, /បានពិនិត្យហើយ/);
  const counts = await admin.textContent('#import-counts');
  assert.match(counts, /៣\.៩៩៩/, 'every child but the one whose date waits for its fix');
  const report = await admin.textContent('#import-problems');
  assert.match(report, /2014-03-25/, 'the month-first date with its suggested fix');
  assert.match(report, /Favourite colour/, 'the unknown column is reported');
  // The report downloads as CSV.
  const [download] = await Promise.all([admin.waitForEvent('download'), admin.click('a[href$="report.csv"]')]);
  assert.match(download.suggestedFilename(), /children-report\.csv/);
  // Importing needs the fixes accepted.
  await admin.check('input[name=accept_fixes]');
  await Promise.all([admin.waitForNavigation(), admin.click('form[action$="/apply"] button.primary')]);
  await waitForStatus(admin, /បាននាំចូលហើយ/);
  assert.match(await admin.textContent('#import-counts'), /៤\.០០០/, 'all four thousand, the fixed one too');
  // The organisation's manager finds them (an administrator reads no case files).
  await manager.goto(server.base + '/children?q=Child3999');
  assert.match(await manager.textContent('main'), /Child3999/);
});

test('a social worker has no import page', async () => {
  const page = await worker.goto(server.base + '/admin/import');
  assert.equal(page.status(), 403);
  assert.equal(await worker.isVisible('a[href="/admin/import"]'), false);
});
