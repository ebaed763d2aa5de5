// Reports in real Chromium, in Khmer: two children registered; the manager's dashboard draws its
// charts on the server; the indicators break down by age and each number opens the children it
// counts; the quarterly report comes out as a page, a Khmer PDF (rendered to an image) and a
// workbook; a worker's export is prepared in the background with its progress shown.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { start, signIn, launch } = require('./server');

let server, browser, worker, manager;

before(async () => {
  server = await start();
  browser = await launch();
  worker = await signIn(browser, server, 'worker');
  manager = await signIn(browser, server, 'manager');
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

async function register(page, km, latin, sex, age) {
  await page.goto(server.base + '/children/new');
  await page.fill('#family_name_km', 'សុខ');
  await page.fill('#given_name_km', km);
  await page.fill('#family_name_latin', 'Sok');
  await page.fill('#given_name_latin', latin);
  await page.selectOption('#sex', sex);
  await page.fill('#estimated_age', String(age));
  await Promise.all([page.waitForNavigation(), page.click('button[name=save]')]);
  assert.match(page.url(), /\/children\/[0-9a-f-]{36}$/, (await page.textContent('main')).slice(0, 300));
}

test('the manager’s dashboard shows the quarter’s figures and charts drawn on the server', async () => {
  await register(worker, 'ស្រីនាង', 'Sreyneang', 'female', 9);
  await register(worker, 'វណ្ណា', 'Vanna', 'male', 4);
  await manager.goto(server.base + '/dashboard');
  assert.match(await manager.textContent('h1'), /ផ្ទាំងព័ត៌មាន/);
  const registered = await manager.textContent('.cards li:first-child');
  assert.match(registered, /កុមារដែលបានចុះឈ្មោះ/);
  assert.match(registered, /២ \(ស្រី ១\)/, registered);
  assert.ok((await manager.locator('svg.chart[role=img]').count()) >= 2, 'monthly charts as SVG');
  assert.equal(await manager.locator('script[src*=chart]').count(), 0, 'no charting script');
  await manager.screenshot({ path: path.join(os.tmpdir(), 'krousar-e2e-dashboard.png'), fullPage: true });
});

test('indicators break down by age and each number opens the children it counts', async () => {
  await Promise.all([manager.waitForNavigation(), manager.click('a[href^="/indicators"]')]);
  await manager.selectOption('#by', 'age_band');
  await Promise.all([manager.waitForNavigation(), manager.click('form.inline-form button')]);
  const row = await manager.textContent('#i-registered');
  assert.match(row, /០-៥: ១ \(ស្រី ០\)/, row); // age bands in Khmer digits too
  assert.match(row, /៦-១១: ១ \(ស្រី ១\)/, row);
  await Promise.all([manager.waitForNavigation(), manager.click('#i-registered .groups a[href*="value=0-5"]')]);
  const list = await manager.textContent('main');
  // Named in the reader's script first (Khmer here).
  assert.match(list, /សុខ វណ្ណា/);
  assert.doesNotMatch(list, /Sreyneang|ស្រីនាង/);
});

test('the quarterly report is a page, a Khmer PDF and a workbook', async () => {
  await manager.goto(server.base + '/indicators');
  await Promise.all([manager.waitForNavigation(), manager.click('a[href^="/reports/quarterly"]')]);
  assert.match(await manager.textContent('h1'), /របាយការណ៍ប្រចាំត្រីមាសជូនម្ចាស់ជំនួយ/);
  assert.match(await manager.textContent('body'), /និយមន័យ/, 'definitions printed');
  const pdfHref = await manager.getAttribute('a[href*="format=pdf"]', 'href');
  const res = await manager.request.get(server.base + pdfHref);
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-type'], 'application/pdf');
  const pdf = path.join(os.tmpdir(), 'krousar-e2e-report.pdf');
  fs.writeFileSync(pdf, await res.body());
  assert.match(execFileSync('pdffonts', [pdf], { encoding: 'utf8' }), /Khmer/i);
  const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
  // pdftotext splits some Khmer ligatures (បា, មា) apart; a word without them reads whole.
  assert.match(text, /ប្រចាំត្រី/, 'the Khmer title is text in the PDF');
  // The quarter in words, as the reader writes it (ត្រីមាសទី៤ ឆ្នាំ២០២៦).
  assert.match(text, /ឆ្នាំ\s*២០២[០-៩]/);
  // Rendered to an image: the page is not blank (shaping itself is for a person to look at).
  const png = path.join(os.tmpdir(), 'krousar-e2e-report');
  execFileSync('pdftoppm', ['-r', '60', '-png', '-f', '1', '-l', '1', '-singlefile', pdf, png]);
  assert.ok(fs.statSync(png + '.png').size > 10000, 'a rendered first page');
  const xlsx = await manager.request.get(server.base + (await manager.getAttribute('a[href*="format=xlsx"]', 'href')));
  assert.equal(xlsx.status(), 200);
  assert.match(xlsx.headers()['content-type'], /spreadsheetml/);
  assert.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK');
});

test('an export prepared in the background shows its progress and then its file', async () => {
  await worker.goto(server.base + '/children');
  await worker.click('details.export summary');
  await worker.selectOption('#export-format', 'csv');
  await worker.check('input[name=background]');
  await Promise.all([worker.waitForNavigation(), worker.click('details.export button.primary')]);
  assert.match(new URL(worker.url()).pathname, /^\/exports\/[0-9a-f-]{36}$/);
  await worker.waitForSelector('a[href$="/file"]', { timeout: 15000 });
  assert.match(await worker.textContent('main'), /រួចរាល់/);
  const [download] = await Promise.all([worker.waitForEvent('download'), worker.click('a[href$="/file"]')]);
  const file = path.join(os.tmpdir(), 'krousar-e2e-export.csv');
  await download.saveAs(file);
  const csv = fs.readFileSync(file, 'utf8');
  assert.match(csv, /ស្រីនាង/);
  assert.equal(csv.trim().split('\n').length, 3, 'a heading and two children');
});
