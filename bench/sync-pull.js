// How long a download with nothing changed (the offline app's morning pull) takes on the server:
// 300 in a row against `krousar demo` (sokha, 65 children in 4 provinces), after 20 to warm up.
//   node bench/sync-pull.js           # KROUSAR_BIN=target/release/krousar by default
process.env.KROUSAR_BIN = process.env.KROUSAR_BIN || require('node:path').resolve(__dirname, '../target/release/krousar');
const { startDemo } = require('../tests/e2e/server');
const N = 300;
(async () => {
  const s = await startDemo();
  let cookie = '';
  const jar = (r) => { const c = r.headers.getSetCookie(); if (c.length) cookie = c.map((x) => x.split(';')[0]).filter((x) => !x.endsWith('=')).join('; ') || cookie; };
  let r = await fetch(s.base + '/login'); jar(r);
  const csrf0 = /name="_csrf" value="([^"]+)"/.exec(await r.text())[1];
  r = await fetch(s.base + '/login', { method: 'POST', redirect: 'manual', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: `_csrf=${csrf0}&username=sokha&password=${encodeURIComponent(s.password)}` }); jar(r);
  const hello = await (await fetch(s.base + '/api/v1/sync/hello', { headers: { Cookie: cookie } })).json();
  const h = { Cookie: cookie, 'X-CSRF-Token': hello.csrf, 'Content-Type': 'application/json' };
  const secret = require('node:crypto').randomBytes(32).toString('base64url');
  const en = await (await fetch(s.base + '/api/v1/sync/devices', { method: 'POST', headers: h, body: JSON.stringify({ name: 'b', password: s.password, secret }) })).json();
  h['X-Krousar-Device'] = en.device.id;
  h['X-Krousar-Device-Secret'] = secret;
  const first = await (await fetch(s.base + '/api/v1/sync/pull', { method: 'POST', headers: h, body: JSON.stringify({ have: {} }) })).json();
  const body = JSON.stringify({ have: Object.fromEntries(first.children.map((c) => [c.id, c.stamp])), forms: first.forms_hash, places: first.places_hash });
  for (let i = 0; i < 20; i++) await (await fetch(s.base + '/api/v1/sync/pull', { method: 'POST', headers: h, body })).text();
  const t = [];
  for (let i = 0; i < N; i++) { const a = performance.now(); await (await fetch(s.base + '/api/v1/sync/pull', { method: 'POST', headers: h, body })).text(); t.push(performance.now() - a); }
  t.sort((x, y) => x - y);
  console.log(`morning pull, nothing changed, ${N} in a row: median ${t[N >> 1].toFixed(2)} ms, p95 ${t[Math.floor(N * 0.95)].toFixed(2)} ms`);
  s.stop(); process.exit(0);
})();
