// A distribution in real Chromium, in Khmer: the worker plans an emergency food package, puts a
// whole village's households on the list, prints the list for signatures (a page and a PDF
// with an embedded Khmer font), and records who received it; the household's page shows it.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { start, signIn: openAs, launch } = require('./server');

let server, browser, worker, listUrl;
const homes = [];

before(async () => {
  server = await start();
  browser = await launch();
  worker = await openAs(browser, server, 'worker');
  // Two households of one village, through the API with the page's own session.
  await worker.goto(server.base + '/');
  const csrf = await worker.getAttribute('input[name=_csrf]', 'value');
  for (const name of ['គ្រួសារ សុខ ចាន់ថា', 'គ្រួសារ កែវ ស្រីនាង']) {
    const res = await worker.request.post(server.base + '/api/v1/households', {
      headers: { 'X-CSRF-Token': csrf },
      data: { name, income_band: 'unknown', id_poor: 'unknown', members: [], village_code: '02020101' },
    });
    assert.equal(res.status(), 201, await res.text());
    homes.push((await res.json()).id);
  }
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

test('the worker plans a food package and lists a whole village', async () => {
  assert.equal(await worker.getAttribute('html', 'lang'), 'km');
  await worker.goto(server.base + '/distributions/new');
  await worker.fill('#name', 'កញ្ចប់ស្បៀងអាហារបន្ទាន់');
  await worker.selectOption('#kind', 'food');
  await worker.fill('input[name=item_name] >> nth=0', 'អង្ករ');
  await worker.fill('input[name=item_quantity] >> nth=0', '២៥');
  await worker.fill('input[name=item_unit] >> nth=0', 'គីឡូ');
  await worker.fill('input[name=item_value] >> nth=0', '100000');
  await Promise.all([worker.waitForNavigation(), worker.click('button.primary')]);
  listUrl = worker.url();
  assert.match(listUrl, /\/distributions\/[0-9a-f-]{36}$/);
  await worker.selectOption('#village', '02020101');
  await Promise.all([worker.waitForNavigation(), worker.click('form[action$="/households"] button')]);
  const main = await worker.textContent('main');
  assert.match(main, /គ្រួសារ សុខ ចាន់ថា/);
  assert.match(main, /គ្រួសារ កែវ ស្រីនាង/);
});

test('the list prints in Khmer, as a page and as a PDF with a Khmer font', async () => {
  await worker.goto(listUrl + '/print?format=html');
  assert.equal(await worker.getAttribute('html', 'lang'), 'km');
  assert.equal(await worker.textContent('h1'), 'កញ្ចប់ស្បៀងអាហារបន្ទាន់');
  const heads = await worker.$$eval('table th', (t) => t.map((x) => x.textContent));
  assert.ok(heads.includes('ហត្ថលេខា ឬស្នាមមេដៃ'), heads.join(' | '));
  const rows = await worker.$$eval('table tbody tr', (r) => r.map((x) => x.textContent));
  assert.equal(rows.filter((r) => /គ្រួសារ/.test(r)).length, 2, rows.join('\n'));
  assert.match(rows.join(' '), /១/, 'numbered in Khmer digits');
  const res = await worker.request.get(listUrl + '/print');
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-type'], 'application/pdf');
  const pdf = path.join(os.tmpdir(), 'krousar-e2e-distribution.pdf');
  fs.writeFileSync(pdf, await res.body());
  assert.equal(fs.readFileSync(pdf).subarray(0, 4).toString(), '%PDF');
  assert.match(execFileSync('pdffonts', [pdf], { encoding: 'utf8' }), /Khmer/i);
  // Rendered to an image for a person to look at: shaping is only visible there.
  execFileSync('pdftoppm', ['-r', '70', '-png', '-f', '1', '-l', '1', pdf, path.join(os.tmpdir(), 'krousar-e2e-distribution')]);
});

test('who received it is recorded, and shows on the household', async () => {
  await worker.goto(listUrl);
  await worker.selectOption(`select[name="state_${homes[0]}"]`, 'received');
  await worker.check(`input[name="signed_${homes[0]}"]`);
  await worker.selectOption(`select[name="state_${homes[1]}"]`, 'not_received');
  await Promise.all([worker.waitForNavigation(), worker.click('form[action$="/receipts"] button.primary')]);
  const facts = await worker.textContent('dl.facts');
  assert.match(facts, /បានទទួល/);
  await worker.goto(server.base + '/households/' + homes[0]);
  const main = await worker.textContent('main');
  assert.match(main, /ជំនួយដែលបានទទួល/);
  assert.match(main, /កញ្ចប់ស្បៀងអាហារបន្ទាន់/);
});
