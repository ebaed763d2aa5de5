// The ministry names the organisation that works with an institution (issue 23's trust fix), in
// real Chromium on Krousar's own demo, in Khmer, on a 360-px phone: before, a supervisor of the
// Siem Reap organisation sees the Siem Reap institution's residents as hidden and cannot edit it;
// the ministry officer picks her organisation on the institution's form; after, she counts its
// children and is offered the edit.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startDemo, signIn, launch } = require('./server');

// Khmer strings (crates/web/locales/km/main.ftl).
const KM = {
  hidden: 'លាក់', // msg-hidden
  partner: 'អង្គការដែលធ្វើការជាមួយមណ្ឌលនេះ', // field-rci-partner
  residents: 'កុមារស្នាក់នៅ', // field-residents
};
const LOTUS = 'Golden Lotus Orphanage';
const SIEM_REAP_NGO = "Siem Reap Children's Hope (demo)";

let server, browser, mosvy, chenda;

before(async () => {
  server = await startDemo();
  browser = await launch();
  mosvy = await signIn(browser, server, 'mosvy');
  chenda = await signIn(browser, server, 'chenda');
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

// The residents cell of the institution's row in the register, as `page` sees it.
async function residentsCell(page) {
  await page.goto(server.base + '/rcis');
  const row = page.locator('table.list tbody tr', { hasText: LOTUS });
  assert.equal(await row.count(), 1, 'one row for the institution');
  return (await row.locator(`td[data-label="${KM.residents}"]`).textContent()).trim();
}

async function fitsThePhone(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `the page is ${width}px wide on a 360px phone`);
}

test('the ministry names a partner organisation, which then counts the institution\'s children', async () => {
  // Before: registered by the ministry, no partner; the Siem Reap supervisor sees "hidden".
  assert.equal(await residentsCell(chenda), KM.hidden);
  const lotusUrl = server.base + (await chenda.locator('table.list tbody tr', { hasText: LOTUS }).locator('a').getAttribute('href'));
  await chenda.goto(lotusUrl);
  assert.equal(await chenda.locator('a[href$="/edit"]').count(), 0, 'not offered the edit');
  // The ministry counts it (a number, never "hidden").
  assert.match(await residentsCell(mosvy), /^[0-9០-៩]+$/);

  // The ministry officer names the organisation from the institution's form.
  await mosvy.goto(lotusUrl);
  await Promise.all([mosvy.waitForNavigation(), mosvy.click('a[href$="/edit"]')]);
  const pick = mosvy.locator('#partner_org_id');
  assert.equal(await pick.locator('option:checked').textContent(), 'គ្មាន', 'none yet'); // opt-none
  assert.equal(await pick.locator('option', { hasText: 'MoSVY' }).count(), 0, 'the ministry is no partner of its own');
  await pick.selectOption({ label: SIEM_REAP_NGO });
  await fitsThePhone(mosvy);
  const [res] = await Promise.all([mosvy.waitForNavigation(), mosvy.click('button[name=save]')]);
  assert.equal(res.status(), 200);
  assert.equal(mosvy.url(), lotusUrl);
  const fact = mosvy.locator('dl.facts > div', { has: mosvy.locator('dt', { hasText: KM.partner }) }).locator('dd');
  assert.equal((await fact.textContent()).trim(), SIEM_REAP_NGO);

  // After: the Siem Reap supervisor counts its children and may edit it.
  assert.match(await residentsCell(chenda), /^[0-9០-៩]+$/);
  await chenda.goto(lotusUrl);
  assert.equal(await chenda.locator('a[href$="/edit"]').count(), 1, 'offered the edit');
  await fitsThePhone(chenda);
});
