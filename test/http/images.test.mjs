// Event pictures (issue 16 item 4): image_url is a path under our own /static/ folder, never
// another origin, so that no page ever makes the browser fetch from elsewhere. Anything else
// is a 400 and changes nothing; the demo data's pictures exist and are plain SVG that the
// shim serves as images.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, api, login } from '../lib/harness.mjs';
import { setup, stopCleanly } from './helpers.mjs';

let ctx;
let admin;
let eventId;
const body = { name: 'Picture Fest', place: 'Park', city: 'Porto', date: '2099-05-01', price: 10, capacity: 10 };

before(async () => {
  ctx = await setup('http_images');
  admin = await login(ctx.base, 'admin', 'admin-password');
  const created = await api(ctx.base, 'POST', '/event', { token: admin, body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  eventId = created.body.event.id;
});
after(async () => { await stopCleanly(ctx.shim); });

// Other origins in every spelling a browser would follow, and paths that leave /static/.
const REFUSED = ['https://evil.example/x.png', 'http://127.0.0.1:9/x.svg', '//evil.example/x.png', 'javascript:alert(1)',
  'data:image/svg+xml,<svg/>', '/static//evil.example/x.png', '/static/../secret', '/static/images/../../x',
  'static/images/x.svg', '/images/x.svg', '/static/', '/static/.hidden', '/static/a b.svg', '/static/x.svg?u=http://e',
  '\\\\evil.example\\x.png'];

test('creating an event with an image_url outside /static/ is 400 invalid_input, and creates nothing', async () => {
  const before = (await api(ctx.base, 'GET', '/events')).body.events.length;
  for (const image_url of REFUSED) {
    const res = await api(ctx.base, 'POST', '/event', { token: admin, body: { ...body, name: 'Refused', image_url } });
    assert.equal(res.status, 400, `${image_url}: ${res.status} ${JSON.stringify(res.body)}`);
    assert.equal(res.body.code, 'invalid_input', image_url);
    assert.match(res.body.message, /image_url/, image_url);
  }
  assert.equal((await api(ctx.base, 'GET', '/events')).body.events.length, before);
});

test('an edit to an image_url outside /static/ is 400 and keeps the picture; a path sets it, null clears it', async () => {
  const set = await api(ctx.base, 'PUT', `/event/${eventId}`, { token: admin, body: { ...body, image_url: '/static/images/seaside-festival.svg' } });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal(set.body.event.image_url, '/static/images/seaside-festival.svg');
  for (const image_url of REFUSED) {
    const res = await api(ctx.base, 'PUT', `/event/${eventId}`, { token: admin, body: { ...body, image_url } });
    assert.equal(res.status, 400, `${image_url}: ${res.status} ${JSON.stringify(res.body)}`);
    assert.equal(res.body.code, 'invalid_input', image_url);
  }
  assert.equal((await api(ctx.base, 'GET', `/event/${eventId}`)).body.event.image_url, '/static/images/seaside-festival.svg');
  const cleared = await api(ctx.base, 'PUT', `/event/${eventId}`, { token: admin, body: { ...body, image_url: null } });
  assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
  assert.equal(cleared.body.event.image_url, null);
});

test('the pictures in static/images are served as SVG images, and have nothing that runs or loads', async () => {
  const files = readdirSync(path.join(ROOT, 'static/images')).filter((f) => f.endsWith('.svg'));
  assert.ok(files.length >= 3, files.join(' '));
  for (const f of files) {
    const text = readFileSync(path.join(ROOT, 'static/images', f), 'utf8');
    assert.doesNotMatch(text, /<script|\son\w+=|style=|<style|href=|xlink:|<image|@import|url\(http/i, f);
    const res = await fetch(`${ctx.base}/static/images/${f}`);
    assert.equal(res.status, 200, f);
    assert.equal(res.headers.get('content-type'), 'image/svg+xml', f);
    assert.equal(await res.text(), text, f);
  }
});

test('every picture the demo data names exists in static/images', () => {
  const sql = readFileSync(path.join(ROOT, 'tools/demo-data.sql'), 'utf8');
  const named = [...sql.matchAll(/\/static\/images\/[\w.-]+/g)].map((m) => m[0]);
  assert.ok(named.length >= 3, named.join(' '));
  for (const p of named) assert.doesNotThrow(() => readFileSync(path.join(ROOT, p.slice(1))), p);
});
