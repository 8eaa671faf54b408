// Public reads in gzip (shim/answer.c, shim/accept_encoding.c): a public read of 1 KiB or
// more whose ETag is a digest of its body is also kept compressed, and sent so to clients
// whose Accept-Encoding takes gzip, under an ETag of its own and with Vary: Accept-Encoding.
// Raw requests, because fetch sends an Accept-Encoding of its own and decompresses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { api, login, startShim } from '../lib/harness.mjs';
import { httpRequest, parseAnswer, setup, stopCleanly } from './helpers.mjs';

let ctx;
let admin;
let event;
let artist;

// GET/HEAD `target` with extra headers, on a connection of its own that the server closes
// (the client does not half-close it: libmicrohttpd would drop a request still waiting for
// the database). parseAnswer's answer, with the body as bytes.
function get(port, target, headers = {}, method = 'GET') {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(httpRequest(method, target, { headers })));
    const chunks = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const res = parseAnswer(chunks);
      resolve({ ...res, body: Buffer.from(res.body, 'latin1') });
    });
  });
}

const gzipTag = (etag) => `${etag.slice(0, -1)}-gzip"`;

before(async () => {
  ctx = await setup('http_compression');
  admin = await login(ctx.base, 'admin', 'admin-password');
  for (let i = 0; i < 8; i++) {
    const made = await api(ctx.base, 'POST', '/event', { token: admin,
      body: { name: `Gzip Fest ${i}`, place: 'Arena', city: 'Lyon', date: '2099-09-01', price: 7, capacity: 50 } });
    assert.equal(made.status, 201);
    event = made.body.event;
  }
  // Artists enough for a catalogue over 1 KiB, and a line-up that makes the event itself one.
  for (let i = 0; i < 20; i++) {
    artist = (await api(ctx.base, 'POST', '/artist', { token: admin,
      body: { name: `Gzip Band ${i}`, country: 'France', genre: 'ROCK' } })).body.artist;
    if (i < 12) {
      assert.equal((await api(ctx.base, 'POST', `/event/${event.id}/artist`, { token: admin,
        body: { id: artist.id } })).status, 201);
    }
  }
});
after(async () => {
  await stopCleanly(ctx.shim);
});

test('GET /events in gzip to a client that takes it: the same bytes, an ETag of its own, Vary', async () => {
  const plain = await get(ctx.shim.port, '/events');
  const packed = await get(ctx.shim.port, '/events', { 'Accept-Encoding': 'gzip, deflate, br, zstd' });
  assert.equal(plain.status, 200);
  assert.equal(packed.status, 200);
  assert.ok(plain.body.length >= 1024, `the catalogue is ${plain.body.length} bytes`);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(packed.headers['content-encoding'], 'gzip');
  for (const res of [plain, packed]) {
    assert.equal(res.headers.vary, 'Accept-Encoding');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(Number(res.headers['content-length']), res.body.length);
  }
  assert.deepEqual(gunzipSync(packed.body), plain.body);
  assert.ok(packed.body.length * 3 < plain.body.length, `${packed.body.length} vs ${plain.body.length} bytes`);
  assert.match(plain.headers.etag, /^"[0-9a-f]{16}"$/);
  assert.equal(packed.headers.etag, gzipTag(plain.headers.etag));
});

test('Accept-Encoding is read as RFC 9110 says: weights, "*", x-gzip, case', async () => {
  const cases = {
    'gzip': true, 'GZip': true, 'x-gzip': true, ' gzip ': true, 'deflate,gzip': true,
    'br;q=1.0, gzip;q=0.5': true, 'gzip;q=0.001': true, 'gzip; q=1.000': true, 'gzip;Q=0.5': true,
    'gzip;level=1;q=0.3': true, '*': true, 'br, *;q=0.1': true, 'gzip;q=0, gzip': true,
    'gzip;q=0': false, 'gzip; q=0.000': false, 'gzip;q=0.': false, '*;q=0': false,
    'gzip;q=0, *': false, 'identity': false, 'br, deflate': false, '': false,
    'gzip;q=2': false, 'gzip;q=1.5': false, 'gzip;q=0.0001': false, 'gzip;q=': false,
    'gzipx': false, 'gzip foo': false, 'xgzip': false, 'gzip;q=abc': false,
  };
  for (const [value, gzip] of Object.entries(cases)) {
    const res = await get(ctx.shim.port, '/events', { 'Accept-Encoding': value });
    assert.equal(res.status, 200, value);
    assert.equal(res.headers['content-encoding'], gzip ? 'gzip' : undefined, `Accept-Encoding: "${value}"`);
  }
});

test('If-None-Match answers 304 only for the representation that would be sent', async () => {
  const takesGzip = { 'Accept-Encoding': 'gzip' };
  const plain = await get(ctx.shim.port, '/artists');
  assert.ok(plain.body.length >= 1024, `the artists are ${plain.body.length} bytes`);
  const plainTag = plain.headers.etag;
  const gzipped = await get(ctx.shim.port, '/artists', takesGzip);
  assert.equal(gzipped.headers['content-encoding'], 'gzip');
  assert.equal(gzipped.headers.etag, gzipTag(plainTag));

  const same = await get(ctx.shim.port, '/artists', { ...takesGzip, 'If-None-Match': gzipped.headers.etag });
  assert.equal(same.status, 304);
  assert.equal(same.headers.etag, gzipped.headers.etag);
  assert.equal(same.headers.vary, 'Accept-Encoding');
  assert.equal(same.body.length, 0);
  // The other representation's tag names other bytes: the body is sent.
  const plainAsked = await get(ctx.shim.port, '/artists', { 'If-None-Match': gzipped.headers.etag });
  assert.equal(plainAsked.status, 200);
  assert.equal(plainAsked.headers['content-encoding'], undefined);
  const gzipAsked = await get(ctx.shim.port, '/artists', { ...takesGzip, 'If-None-Match': plainTag });
  assert.equal(gzipAsked.status, 200);
  assert.equal(gzipAsked.headers['content-encoding'], 'gzip');
  assert.equal((await get(ctx.shim.port, '/artists', { 'If-None-Match': plainTag })).status, 304);
});

test('HEAD tells the gzip length and sends no body', async () => {
  const full = await get(ctx.shim.port, '/events', { 'Accept-Encoding': 'gzip' });
  const head = await get(ctx.shim.port, '/events', { 'Accept-Encoding': 'gzip' }, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-encoding'], 'gzip');
  assert.equal(head.headers['content-length'], String(full.body.length));
  assert.equal(head.body.length, 0);
});

test('an event is never compressed: its ETag is its version, which admins send back in If-Match', async () => {
  const res = await get(ctx.shim.port, `/event/${event.id}`, { 'Accept-Encoding': 'gzip' });
  assert.equal(res.status, 200);
  assert.ok(res.body.length >= 1024, `the event is ${res.body.length} bytes`);
  assert.equal(res.headers['content-encoding'], undefined);
  assert.equal(res.headers.vary, undefined);
  assert.equal(res.headers.etag, `"${JSON.parse(res.body).event.version}"`);
});

test('a body under 1 KiB goes out as it is, without Vary', async () => {
  const res = await get(ctx.shim.port, `/artist/${artist.id}`, { 'Accept-Encoding': 'gzip' });
  assert.equal(res.status, 200);
  assert.ok(res.body.length < 1024);
  assert.equal(res.headers['content-encoding'], undefined);
  assert.equal(res.headers.vary, undefined);
});

test('a change shows in the gzip representation too', async () => {
  const before = await get(ctx.shim.port, '/events', { 'Accept-Encoding': 'gzip' });
  const made = await api(ctx.base, 'POST', '/event', { token: admin,
    body: { name: 'Gzip Late Show', place: 'Arena', city: 'Lyon', date: '2099-09-02', price: 7, capacity: 50 } });
  assert.equal(made.status, 201);
  // This process made the change: it never answers from memory what it had before.
  const after = await get(ctx.shim.port, '/events', { 'Accept-Encoding': 'gzip' });
  assert.notEqual(after.headers.etag, before.headers.etag);
  const events = JSON.parse(gunzipSync(after.body)).events;
  assert.ok(events.some((e) => e.id === made.body.event.id));
});

test('with CORS origins (responses built per request), gzip and both Vary headers', async () => {
  const shim = await startShim(ctx.database, { env: { CORS_ORIGINS: 'https://app.example' } });
  try {
    const res = await get(shim.port, '/events', { 'Accept-Encoding': 'gzip', Origin: 'https://app.example' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.example');
    const vary = res.head.filter((l) => /^vary:/i.test(l)).map((l) => l.slice(5).trim()).sort();
    assert.deepEqual(vary, ['Accept-Encoding', 'Origin']);
    const plain = await get(shim.port, '/events', { Origin: 'https://app.example' });
    assert.deepEqual(gunzipSync(res.body), plain.body);
    const again = await get(shim.port, '/events',
      { 'Accept-Encoding': 'gzip', Origin: 'https://app.example', 'If-None-Match': res.headers.etag });
    assert.equal(again.status, 304);
  } finally {
    await stopCleanly(shim);
  }
});
