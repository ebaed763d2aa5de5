// Krousar serving HTTPS itself (`--tls-cert/--tls-key`, a certificate this test makes) to a
// phone that reaches it by a name, not as localhost: Chromium trusts that certificate alone
// (by its key), and the offline app installs, carries the caseload and opens again with no
// network — which browsers allow only over HTTPS. The answers tell browsers to keep to HTTPS.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startDemo, launch } = require('./server');

const HOST = 'krousar.test';
let server, browser, dir;
const t = {};
const { phone, setUp, unlock } = require('./phone')(t);

// The test's own certificate for HOST, and the base64 SHA-256 of its public key (what
// Chromium's --ignore-certificate-errors-spki-list trusts).
function certificate() {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'krousar-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', `/CN=${HOST}`, '-addext', `subjectAltName=DNS:${HOST}`], { stdio: 'ignore' });
  const spki = execFileSync('openssl', ['x509', '-in', cert, '-pubkey', '-noout']);
  const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: spki });
  const hash = require('node:crypto').createHash('sha256').update(der).digest('base64');
  return { cert, key, hash };
}

before(async () => {
  const c = certificate();
  // Node's own fetch (waiting for the server to start) does not know the certificate.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  server = t.server = await startDemo({ cert: c.cert, key: c.key, host: HOST });
  browser = t.browser = await launch([`--host-resolver-rules=MAP ${HOST} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${c.hash}`]);
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the offline app installs over the HTTPS Krousar serves itself, and opens with no network', async () => {
  assert.match(server.base, /^https:\/\/krousar\.test:/);
  const { context, page } = await phone('sokha');
  const res = await page.goto(server.base + '/login');
  assert.equal(res.headers()['strict-transport-security'], 'max-age=31536000; includeSubDomains');
  const cookies = await context.cookies();
  assert.ok(cookies.length > 0 && cookies.every((c) => c.secure), 'every cookie is Secure');
  assert.equal(await page.evaluate(() => window.isSecureContext), true);

  await setUp(page);
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).scope);
  assert.equal(scope, server.base + '/');
  await context.setOffline(true);
  await page.reload();
  await unlock(page);
  assert.ok(await page.locator('#carried li').count() > 0, 'the caseload is there with no network');
  await context.close();
});
