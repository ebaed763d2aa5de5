// Starts a real Krousar server on a fresh SQLite database for the browser tests, with two
// organisations, a social worker in each, and one child registered by the other organisation.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const bin = process.env.KROUSAR_BIN || path.join(root, 'target/debug/krousar');
const PASSWORD = 'browser test password';

function cli(dbUrl, args, input) {
  return execFileSync(bin, ['--database-url', dbUrl, ...args], { input: input || '', encoding: 'utf8', stdio: ['pipe', 'pipe', 'inherit'] }).trim();
}

async function waitFor(url, tries = 100) {
  for (let i = 0; i < tries; i++) {
    try { if ((await fetch(url)).ok) return; } catch (_) { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start: ' + url);
}

async function start() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'krousar-e2e-'));
  const db = 'sqlite://' + path.join(dir, 'e2e.db');
  cli(db, ['org', 'add', '--name', 'E2E NGO', '--kind', 'ngo']);
  cli(db, ['org', 'add', '--name', 'Other NGO', '--kind', 'ngo']);
  cli(db, ['user', 'add', '--org', 'E2E NGO', '--username', 'worker', '--role', 'social-worker', '--name', 'Chan Sokha', '--team', 'North'], PASSWORD);
  cli(db, ['user', 'add', '--org', 'E2E NGO', '--username', 'boss', '--role', 'supervisor', '--name', 'Keo Sreymom', '--team', 'North'], PASSWORD);
  cli(db, ['user', 'add', '--org', 'E2E NGO', '--username', 'manager', '--role', 'manager', '--name', 'Heng Vannak'], PASSWORD);
  cli(db, ['user', 'add', '--org', 'E2E NGO', '--username', 'admin', '--role', 'org-admin', '--name', 'Lim Bopha'], PASSWORD);
  cli(db, ['user', 'add', '--org', 'Other NGO', '--username', 'stranger', '--role', 'social-worker'], PASSWORD);
  cli(db, ['user', 'add', '--org', 'Other NGO', '--username', 'otherboss', '--role', 'supervisor', '--name', 'Meas Rithy'], PASSWORD);
  const token = cli(db, ['token', 'create', '--username', 'stranger']);
  const port = 18000 + Math.floor(Math.random() * 2000);
  const base = `http://127.0.0.1:${port}`;
  const proc = spawn(bin, ['--database-url', db, 'serve', '--listen', `127.0.0.1:${port}`, '--files-dir', path.join(dir, 'files')], { stdio: ['ignore', 'inherit', 'inherit'] });
  await waitFor(base + '/healthz');
  const res = await fetch(base + '/api/v1/children', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ given_name_km: 'វិចិត្រ', given_name_latin: 'Vichet', family_name_latin: 'Mao', sex: 'male', estimated_birth_year: 2014 }),
  });
  if (res.status !== 201) throw new Error('could not seed a child: ' + res.status);
  const foreignChild = (await res.json()).id;
  return { base, foreignChild, password: PASSWORD, stop: () => { proc.kill('SIGTERM'); fs.rmSync(dir, { recursive: true, force: true }); } };
}

// Krousar's own demo (`krousar demo`) on a fresh directory: organisations, teams and cases at
// every stage, children in follow-up among them. Every demo user has the password it prints.
// `tls` ({ cert, key, host }): over HTTPS with these PEM files, reached as https://host:port.
async function startDemo(tls) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'krousar-demo-'));
  const port = 18000 + Math.floor(Math.random() * 2000);
  const base = tls ? `https://${tls.host}:${port}` : `http://127.0.0.1:${port}`;
  const https = tls ? ['--tls-cert', tls.cert, '--tls-key', tls.key] : [];
  const proc = spawn(bin, ['demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dir, ...https], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitFor((tls ? `https://127.0.0.1:${port}` : base) + '/healthz', 600);
  const password = fs.readFileSync(path.join(dir, 'demo-credentials.txt'), 'utf8').trim();
  return { base, password, stop: () => { proc.kill('SIGTERM'); fs.rmSync(dir, { recursive: true, force: true }); } };
}

// A signed-in page of its own browser context (a phone-sized window unless `options` say
// otherwise: Playwright's context options), for `username`. Close it with page.context().close().
async function signIn(browser, server, username, options) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, ...(options || {}) });
  const page = await context.newPage();
  await page.goto(server.base + '/login');
  await page.fill('#username', username);
  await page.fill('#password', server.password);
  await page.click('button.primary');
  await page.waitForURL(server.base + '/');
  return page;
}

// Debian's Chromium, headless, with nothing that would reach the network (`args`: more flags).
async function launch(args) {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...(args || [])],
  });
}

module.exports = { start, startDemo, signIn, launch };
