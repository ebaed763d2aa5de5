// Bytes on the wire for a day of a social worker's offline work, as the offline app sends it:
// the morning download of her caseload, 10 follow-up visits, 5 notes and 1 CSI assessment sent
// in the evening (gzip-compressed JSON), the evening download of what changed, and a photo.
// Counts every byte of each request and answer, headers included (HTTP/1.1, the socket's own
// counters), against Krousar's demo (`krousar demo`, sokha's caseload).
//
//   node bench/sync-day.js            # KROUSAR_BIN=target/release/krousar by default
'use strict';
const http = require('node:http');
const zlib = require('node:zlib');
const crypto = require('node:crypto');
const path = require('node:path');
process.env.KROUSAR_BIN = process.env.KROUSAR_BIN || path.resolve(__dirname, '../target/release/krousar');
const { startDemo } = require('../tests/e2e/server');

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const jar = new Map(); // cookie name → { pair, path }
const rows = [];

function request(base, method, url, { headers = {}, body = null, gzip = false, label = null } = {}) {
  return new Promise((ok, fail) => {
    let payload = body;
    const h = { 'Accept-Encoding': 'gzip', Accept: 'application/json', ...headers };
    const cookie = [...jar.values()].filter((c) => url.startsWith(c.path)).map((c) => c.pair).join('; ');
    if (cookie) h.Cookie = cookie;
    if (body !== null && typeof body !== 'string' && !Buffer.isBuffer(body)) {
      const json = Buffer.from(JSON.stringify(body));
      payload = gzip ? zlib.gzipSync(json) : json;
      h['Content-Type'] = 'application/json';
      if (gzip) h['Content-Encoding'] = 'gzip';
      h['X-Plain-Size'] = String(json.length);
    }
    if (process.env.DEBUG) console.error('->', method, url);
    const req = http.request(base + url, { method, headers: h, agent }, (res) => {
      // The socket goes back to the agent at the end of the answer: keep it now.
      const sock = res.socket;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw).toString() : raw.toString();
        const set = res.headers['set-cookie'];
        // Kept by name with their path, as a browser keeps them (the device's cookie, for the
        // sign-in pages only, joins the session's).
        for (const c of set || []) {
          const pair = c.split(';')[0];
          const name = pair.split('=')[0];
          const p = (/;\s*Path=([^;]*)/i.exec(c) || [null, '/'])[1];
          if (pair.endsWith('=')) jar.delete(name); else jar.set(name, { pair, path: p });
        }
        const sent = sock.bytesWritten - (sock._sentBefore || 0);
        const got = sock.bytesRead - (sock._readBefore || 0);
        sock._sentBefore = sock.bytesWritten;
        sock._readBefore = sock.bytesRead;
        if (label) rows.push({ label, sent, got, plainUp: Number(h['X-Plain-Size'] || 0), plainDown: text.length });
        ok({ status: res.statusCode, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', fail);
    if (payload !== null) req.write(payload);
    req.end();
  });
}

function v7() {
  const b = crypto.randomBytes(16);
  let ms = Date.now();
  for (let i = 5; i >= 0; i--) { b[i] = ms % 256; ms = Math.floor(ms / 256); }
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

(async () => {
  const server = await startDemo();
  process.on('exit', () => server.stop());
  const base = server.base;
  try {
    const login = await request(base, 'GET', '/login');
    const csrf0 = /name="_csrf" value="([^"]+)"/.exec(login.text)[1];
    const form = `_csrf=${encodeURIComponent(csrf0)}&username=sokha&password=${encodeURIComponent(server.password)}`;
    await request(base, 'POST', '/login', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form });
    const hello = (await request(base, 'GET', '/api/v1/sync/hello', { label: 'app texts (once per language)' })).json();
    const auth = { 'X-CSRF-Token': hello.csrf };
    const secret = crypto.randomBytes(32).toString('base64url');
    const enrol = (await request(base, 'POST', '/api/v1/sync/devices', { headers: auth, body: { name: 'bench', password: server.password, secret }, label: 'set up the device (once)' })).json();
    const dev = { ...auth, 'X-Krousar-Device': enrol.device.id, 'X-Krousar-Device-Secret': secret };

    const first = (await request(base, 'POST', '/api/v1/sync/pull', { headers: dev, body: { have: {} }, gzip: true, label: 'first download: caseload, forms and places (once)' })).json();
    const have = Object.fromEntries(first.children.map((c) => [c.id, c.stamp]));
    (await request(base, 'POST', '/api/v1/sync/unlock', { headers: dev, body: { password: server.password }, label: 'open the copy in the morning (unlock)' }));
    const morning = (await request(base, 'POST', '/api/v1/sync/pull', { headers: dev, body: { have, forms: first.forms_hash, places: first.places_hash }, gzip: true, label: 'morning download, nothing changed' })).json();

    const today = new Date().toISOString().slice(0, 10);
    const placed = first.children.filter((c) => c.case && !c.case.closed && c.case.next_visit);
    const open = first.children.filter((c) => c.case && !c.case.closed);
    if (!placed.length || !open.length) throw new Error('the demo caseload has no child in follow-up');
    const changes = [];
    for (let i = 0; i < 10; i++) {
      const c = placed[i % placed.length];
      changes.push({ id: v7(), kind: 'visit', child: c.id, recorded_at: new Date().toISOString(), fields: {
        visited_on: today, child_seen: '1', spoken_alone: '1', school: 'regular',
        obs_education: 'ទៅសាលារៀនទៀងទាត់ មានសម្ភារៈសិក្សាគ្រប់គ្រាន់',
        obs_food: 'គ្រួសារមានអាហារគ្រប់គ្រាន់ រៀងរាល់ថ្ងៃ', obs_health: 'Healthy; vaccinations up to date.',
        actions: 'Bring school fees support form next visit.' } });
    }
    for (let i = 0; i < 5; i++) {
      const c = open[i % open.length];
      changes.push({ id: v7(), kind: 'note', child: c.id, recorded_at: new Date().toISOString(), fields: {
        kind: 'phone', noted_on: today, text: 'ម្តាយទូរស័ព្ទមកប្រាប់ថា កុមារបានទៅពិនិត្យសុខភាពនៅមណ្ឌលសុខភាព ហើយសុខសប្បាយ។ The mother called: the child went to the health centre and is well.' } });
    }
    const csi = { assessed_on: today };
    for (const g of first.forms.csi.groups) for (const f of g.fields) if (f.type === 'radio') csi[f.name] = '3';
    changes.push({ id: v7(), kind: 'csi', child: open[0].id, recorded_at: new Date().toISOString(), fields: csi });

    const sent = (await request(base, 'POST', '/api/v1/sync/push', { headers: dev, body: { changes }, gzip: true, label: 'evening: send 10 visits, 5 notes, 1 CSI' })).json();
    for (const r of sent.results) if (r.outcome !== 'accepted') console.error(JSON.stringify(r));
    const outcomes = sent.results.reduce((m, r) => { m[r.outcome] = (m[r.outcome] || 0) + 1; return m; }, {});
    const evening = (await request(base, 'POST', '/api/v1/sync/pull', { headers: dev, body: { have, forms: first.forms_hash, places: first.places_hash }, gzip: true, label: 'evening download of what changed' })).json();

    // A photo with one visit: a 1280-pixel JPEG as the app makes it (~150 KB, random bytes:
    // a JPEG does not compress further), in 64 KB pieces.
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.randomBytes(150 * 1024)]);
    const vid = changes[0].id;
    for (let off = 0; off < photo.length; off += 65536) {
      await request(base, 'PUT', `/api/v1/sync/photos/${vid}?offset=${off}`, { headers: { ...dev, 'Content-Type': 'application/octet-stream' }, body: photo.subarray(off, off + 65536), label: 'photo piece' });
    }
    const sha = crypto.createHash('sha256').update(photo).digest('hex');
    await request(base, 'POST', `/api/v1/sync/photos/${vid}/done`, { headers: dev, body: { name: 'photo.jpg', sha256: sha }, gzip: true, label: 'photo piece' });

    console.log(`caseload: ${first.children.length} children in ${first.places.length} provinces; sent: ${JSON.stringify(outcomes)}; evening download: ${evening.children.length} children; morning: ${morning.children.length}`);
    console.log('| step | bytes up | bytes down | JSON before gzip (up / down) |');
    console.log('|---|---:|---:|---:|');
    const merged = [];
    for (const r of rows) {
      const last = merged[merged.length - 1];
      if (last && last.label === r.label) { last.sent += r.sent; last.got += r.got; last.plainUp += r.plainUp; last.plainDown += r.plainDown; }
      else merged.push({ ...r });
    }
    const day = ['open the copy in the morning (unlock)', 'morning download, nothing changed', 'evening: send 10 visits, 5 notes, 1 CSI', 'evening download of what changed'];
    let up = 0, down = 0;
    for (const r of merged) {
      console.log(`| ${r.label} | ${r.sent.toLocaleString('en')} | ${r.got.toLocaleString('en')} | ${r.plainUp.toLocaleString('en')} / ${r.plainDown.toLocaleString('en')} |`);
      if (day.includes(r.label)) { up += r.sent; down += r.got; }
    }
    console.log(`| **a day's work, without photos** | **${up.toLocaleString('en')}** | **${down.toLocaleString('en')}** | |`);
  } finally {
    agent.destroy();
  }
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
