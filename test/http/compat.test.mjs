// Clients written for the original app keep working unchanged (issue 9): repeated slashes
// are one slash everywhere (routes, preflights, static files, the SPA fallback), the
// POST /account/<username> and available_tickets aliases, an identical POST /artist is 200,
// and LEGACY_CLIENTS answers a token-less GET /account/<username>. None of it reaches a 500.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { api, login, startShim, ROOT } from '../lib/harness.mjs';
import { setup, stopCleanly, basic, rawGet, rawRequest } from './helpers.mjs';

let ctx;
let admin;
let alice;
let eventId;
let artistId;
const seen = [];          // every status this file got, for the "never a 500" check

// api() through this file's shim, remembering the status.
async function call(method, urlPath, options = {}, base = ctx.base) {
  const res = await api(base, method, urlPath, options);
  seen.push([method, urlPath, res.status]);
  return res;
}

const festival = { name: 'Festa Major', place: 'Plaça', city: 'Gràcia', date: '2031-08-15', price: 5 };

before(async () => {
  ctx = await setup('http_compat');
  admin = await login(ctx.base, 'admin', 'admin-password');
  assert.equal((await call('POST', '/account', { body: { username: 'alice', password: 'alice-password' } })).status, 201);
  alice = await login(ctx.base, 'alice', 'alice-password');
  eventId = (await call('POST', '/event', { token: admin,
    body: { ...festival, total_available_tickets: 100 } })).body.event.id;
  artistId = (await call('POST', '/artist', { token: admin,
    body: { name: 'Els Pets', country: 'Catalonia', genre: 'ROCK' } })).body.artist.id;
  assert.equal((await call('POST', `/event/${eventId}/artist`, { token: admin, body: { id: artistId } })).status, 201);
});
after(async () => {
  await stopCleanly(ctx.shim);
  assert.doesNotMatch(ctx.shim.output(), /internal error/);
});

// ---------------------------------------------------------------------------------------
// Repeated slashes

test('doubled slashes: every read route answers as its single-slash path', async () => {
  const reads = [
    ['/healthz', undefined], ['/readyz', undefined], ['/events', undefined], [`/event/${eventId}`, undefined],
    [`/event/${eventId}/artists`, undefined], [`/event/${eventId}/artist/${artistId}`, undefined],
    ['/artists', undefined], [`/artist/${artistId}`, undefined], [`/artist/${artistId}/events`, undefined],
    ['/account/alice', alice], ['/accounts', admin], ['/orders/alice', alice], ['/order/alice', alice],
    ['/orders', admin],
  ];
  for (const [single, token] of reads) {
    const want = await call('GET', single, { token });
    assert.equal(want.status, 200, single);
    const doubled = [`/${single}`, single.replaceAll('/', '//'), `${single.replaceAll('/', '///')}`];
    for (const p of doubled) {
      const res = await call('GET', p, { token });
      assert.equal(res.status, 200, p);
      assert.deepEqual(res.body, want.body, p);
    }
  }
});

test('doubled slashes: writes of every resource family', async () => {
  const signup = await call('POST', '//account', { body: { username: 'slashy', password: 'slashy-password' } });
  assert.equal(signup.status, 201, JSON.stringify(signup.body));
  const logged = await call('POST', '//login', { body: { username: 'slashy', password: 'slashy-password' } });
  assert.equal(logged.status, 200);
  const token = logged.body.token;

  const ev = await call('POST', '//event', { token: admin, body: { ...festival, name: 'Slash Fest', total_available_tickets: 10 } });
  assert.equal(ev.status, 201, JSON.stringify(ev.body));
  const id = ev.body.event.id;
  assert.equal((await call('PUT', `//event//${id}`, { token: admin,
    body: { ...festival, name: 'Slash Fest', price: 6, total_available_tickets: 10 } })).body.event.price, 6);
  const linked = await call('POST', `//event//${id}//artist`, { token: admin, body: { name: 'Slash Band', country: 'Andorra', genre: 'pop' } });
  assert.equal(linked.status, 201, JSON.stringify(linked.body));
  const band = linked.body.event.artists[0].id;

  const bought = await call('POST', '//orders//slashy', { token, body: { event_id: id, tickets_bought: 2 } });
  assert.equal(bought.status, 201, JSON.stringify(bought.body));
  assert.equal((await call('POST', '//order//slashy', { token, body: { id_event: id, tickets_bought: 1 } })).status, 201);
  assert.equal((await call('GET', `/event/${id}`)).body.event.total_available_tickets, 7);

  const artist = await call('POST', '//artist', { token: admin, body: { name: 'Slash Solo', country: 'Malta', genre: 'indie' } });
  assert.equal(artist.status, 201);
  assert.equal((await call('PUT', `//artist//${artist.body.artist.id}`, { token: admin,
    body: { name: 'Slash Solo', country: 'Gozo', genre: 'indie' } })).body.artist.country, 'Gozo');
  assert.equal((await call('DELETE', `//artist//${artist.body.artist.id}`, { token: admin })).status, 200);
  assert.equal((await call('DELETE', `//event//${id}//artist//${band}`, { token: admin })).status, 200);
  assert.equal((await call('DELETE', `//event//${id}`, { token: admin })).status, 200);
  assert.equal((await call('DELETE', '//account//slashy', { token: admin })).status, 200);
  assert.equal((await call('GET', '/account/slashy', { token: admin })).status, 404);
});

test('doubled slashes: 405 and 404 stay what they were', async () => {
  const wrong = await call('DELETE', '//events');
  assert.equal(wrong.status, 405);
  assert.match(wrong.headers.get('allow'), /GET/);
  const none = await call('GET', '//nope//x');
  assert.equal(none.status, 404);
  assert.equal(none.body.code, 'not_found');
});

test('doubled slashes: CORS preflights are the same as for the single-slash path', async () => {
  const shim = await startShim(ctx.database, { env: { CORS_ORIGINS: 'https://legacy.example' } });
  try {
    const preflight = (p, method) => call('OPTIONS', p, { headers: { Origin: 'https://legacy.example',
      'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'authorization, content-type' } }, shim.base);
    for (const [single, method] of [['/events', 'GET'], ['/login', 'POST'], ['/account/alice', 'GET'], ['/account', 'POST'],
      [`/event/${eventId}`, 'PUT'], ['/orders/alice', 'POST'], [`/event/${eventId}/artist/${artistId}`, 'DELETE']]) {
      const want = await preflight(single, method);
      assert.equal(want.status, 204, single);
      for (const p of [`/${single}`, single.replaceAll('/', '//')]) {
        const res = await preflight(p, method);
        assert.equal(res.status, 204, p);
        for (const h of ['allow', 'access-control-allow-origin', 'access-control-allow-methods',
          'access-control-allow-headers', 'access-control-max-age']) {
          assert.equal(res.headers.get(h), want.headers.get(h), `${p}: ${h}`);
        }
        assert.equal(res.headers.get('access-control-allow-origin'), 'https://legacy.example');
      }
    }
    // the request after the preflight, as the browser sends it
    const res = await call('GET', '//account//alice', { token: alice, headers: { Origin: 'https://legacy.example' } }, shim.base);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://legacy.example');
  } finally {
    await stopCleanly(shim);
  }
});

test('doubled slashes: static files, the index page and the SPA fallback', async () => {
  const index = readFileSync(path.join(ROOT, 'static/index.html'), 'latin1');
  const script = readFileSync(path.join(ROOT, 'static/js/main.js'), 'latin1');
  // sent verbatim: nothing between us and the shim may tidy the path
  for (const target of ['//static//js/main.js', '/static//js//main.js', '///static///js///main.js']) {
    const res = await rawGet(ctx.shim.port, target);
    assert.equal(res.status, 200, target);
    assert.match(res.headers['content-type'], /^text\/javascript/, target);
    assert.equal(res.body, script, target);
  }
  // a path of only slashes is the index page, for any client
  for (const target of ['/', '//', '///', '////////']) {
    const res = await rawGet(ctx.shim.port, target);
    assert.equal(res.status, 200, target);
    assert.match(res.headers['content-type'], /^text\/html/, target);
    assert.equal(res.body, index, target);
  }
  const head = await rawRequest(ctx.shim.port, 'HEAD // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(head.status, 200);
  // history-mode routing: a browser reloading //my-orders gets the app; an API client a 404
  const page = await rawGet(ctx.shim.port, '//my-orders//', 'Accept: text/html\r\n');
  assert.equal(page.status, 200);
  assert.equal(page.body, index);
  const api404 = await rawGet(ctx.shim.port, '//my-orders//', 'Accept: application/json\r\n');
  assert.equal(api404.status, 404);
  // and the way out of STATIC_DIR stays closed
  for (const target of ['//static//..//Makefile', '/static///../../Makefile', '//..//Makefile']) {
    const res = await rawGet(ctx.shim.port, target);
    assert.ok([400, 404].includes(res.status), `${target}: ${res.status}`);
    assert.doesNotMatch(res.body, /EXTENSION|PG_CONFIG/, target);
  }
});

test('the log shows the collapsed path', async () => {
  assert.equal((await call('GET', '//artist///987654')).status, 404);
  // the line is written when the request completes, which may be after its answer arrived
  await ctx.shim.waitForOutput(/^GET \/artist\/987654 404 /m);
  assert.doesNotMatch(ctx.shim.output(), /^\w+ [^ ]*\/\//m);
});

// ---------------------------------------------------------------------------------------
// POST /account/<username>

test('POST /account/<username> creates the account like POST /account', async () => {
  const res = await call('POST', '/account/carol', { body: { password: 'carol-password' } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.deepEqual(res.body, { account: { ...res.body.account, username: 'carol', is_admin: 0, available_money: 200 } });
  assert.equal((await call('GET', '/account/carol', { token: await login(ctx.base, 'carol', 'carol-password') })).status, 200);
  // the same name in the body too; a form post, as Flask-RESTful clients send it
  assert.equal((await call('POST', '/account/dave', { body: { username: 'dave', password: 'dave-password' } })).status, 201);
  const form = await call('POST', '//account//erin', { raw: 'username=erin&password=erin-password',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(form.status, 201, JSON.stringify(form.body));
  await login(ctx.base, 'erin', 'erin-password');
  // taken is 409, as for POST /account
  const taken = await call('POST', '/account/carol', { body: { password: 'other-password' } });
  assert.equal(taken.status, 409);
  assert.equal(taken.body.code, 'conflict');
});

test('POST /account/<username>: a different username in the body is a 400, and nothing is created', async () => {
  const res = await call('POST', '/account/frank', { body: { username: 'mallory', password: 'frank-password' } });
  assert.equal(res.status, 400);
  assert.equal(res.body.code, 'invalid_input');
  assert.match(res.body.message, /username/);
  for (const name of ['frank', 'mallory']) {
    assert.equal((await call('GET', `/account/${name}`, { token: admin })).status, 404, name);
  }
});

test('POST /account/<username>: bad input is a clean 400', async () => {
  const cases = [
    ['/account/frank', { body: { password: '' } }],
    ['/account/frank', { body: {} }],
    ['/account/frank', { body: { password: 'frank-password', username: 7 } }],
    ['/account/frank', { body: { password: 'frank-password', username: '' } }],
    ['/account/frank', { body: [1, 2] }],
    ['/account/frank', { raw: '{"password":', headers: { 'Content-Type': 'application/json' } }],
    ['/account/fr%20ank', { body: { password: 'frank-password' } }],
    ['/account/%C3%A9mile', { body: { password: 'emile-password' } }],
    [`/account/${'x'.repeat(31)}`, { body: { password: 'long-password' } }],
    [`/account/${'x'.repeat(300)}`, { body: { password: 'long-password' } }],
  ];
  for (const [p, options] of cases) {
    const res = await call('POST', p, options);
    assert.ok([400, 404].includes(res.status), `${p} ${JSON.stringify(options)}: ${res.status} ${JSON.stringify(res.body)}`);
    assert.equal(typeof res.body.message, 'string');
    assert.equal(typeof res.body.code, 'string');
  }
  assert.equal((await call('GET', '/account/frank', { token: admin })).status, 404);
});

// ---------------------------------------------------------------------------------------
// available_tickets

test('events accept available_tickets as total_available_tickets', async () => {
  const created = await call('POST', '/event', { token: admin, body: { ...festival, name: 'Old Client Gig', available_tickets: 42 } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.event.total_available_tickets, 42);
  const id = created.body.event.id;
  const updated = await call('PUT', `/event/${id}`, { token: admin, body: { ...festival, name: 'Old Client Gig', available_tickets: '40' } });
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  assert.equal(updated.body.event.total_available_tickets, 40);
  // both names with the same value: fine
  const both = await call('PUT', `/event/${id}`, { token: admin,
    body: { ...festival, name: 'Old Client Gig', available_tickets: 39, total_available_tickets: 39 } });
  assert.equal(both.status, 200, JSON.stringify(both.body));
  // as a form, the way reqparse clients post
  const form = await call('POST', '/event', { token: admin, raw: new URLSearchParams({ ...festival, name: 'Form Gig', available_tickets: '8' }).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(form.status, 201, JSON.stringify(form.body));
  assert.equal(form.body.event.total_available_tickets, 8);
});

test('available_tickets: disagreeing or bad values are a 400 that changes nothing', async () => {
  const created = await call('POST', '/event', { token: admin, body: { ...festival, name: 'Strict Gig', available_tickets: 5 } });
  const id = created.body.event.id;
  const cases = [
    { available_tickets: 3, total_available_tickets: 4 },
    { available_tickets: -1 },
    { available_tickets: 'many' },
    { available_tickets: 1.5 },
    { available_tickets: 2 ** 31 },
    { available_tickets: [1] },
    { available_tickets: null },
  ];
  for (const extra of cases) {
    for (const [method, p] of [['POST', '/event'], ['PUT', `/event/${id}`]]) {
      const res = await call(method, p, { token: admin, body: { ...festival, name: 'Strict Gig', ...extra } });
      assert.equal(res.status, 400, `${method} ${JSON.stringify(extra)}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'invalid_input');
    }
  }
  assert.equal((await call('GET', `/event/${id}`)).body.event.total_available_tickets, 5);
});

// ---------------------------------------------------------------------------------------
// POST /artist for an artist that exists

test('POST /artist identical to an existing artist: 200 with that artist', async () => {
  const body = { name: 'Manel', country: 'Catalonia', genre: 'INDIE' };
  const first = await call('POST', '/artist', { token: admin, body });
  assert.equal(first.status, 201);
  const again = await call('POST', '/artist', { token: admin, body });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.deepEqual(again.body, first.body);
  // the genre in any case and untrimmed fields are the same artist
  const spelled = await call('POST', '/artist', { token: admin, body: { name: ' Manel ', country: 'Catalonia ', genre: 'indie' } });
  assert.equal(spelled.status, 200);
  assert.deepEqual(spelled.body, first.body);
  const listed = (await call('GET', '/artists')).body.artists.filter((a) => a.name === 'Manel');
  assert.equal(listed.length, 1);
});

test('POST /artist with a taken name but another country or genre: 409, nothing changed', async () => {
  const body = { name: 'Oques Grasses', country: 'Catalonia', genre: 'REGGAE' };
  const first = await call('POST', '/artist', { token: admin, body });
  assert.equal(first.status, 201);
  for (const other of [{ ...body, country: 'Spain' }, { ...body, genre: 'POP' }, { ...body, country: 'catalonia' }]) {
    const res = await call('POST', '/artist', { token: admin, body: other });
    assert.equal(res.status, 409, JSON.stringify(other));
    assert.equal(res.body.code, 'conflict');
  }
  assert.deepEqual((await call('GET', `/artist/${first.body.artist.id}`)).body, first.body);
  // and the identical create still needs an admin
  assert.equal((await call('POST', '/artist', { body })).status, 401);
  assert.equal((await call('POST', '/artist', { token: alice, body })).status, 403);
});

test('POST /artist racing POST /event/<id>/artist for the same new artist: both succeed', async () => {
  for (let i = 0; i < 6; i++) {
    const body = { name: `Race Band ${i}`, country: 'Iceland', genre: 'ELECTRONIC' };
    // sent together, without waiting, as the original clients do; half in each order
    const [created, linked] = i % 2
      ? (await Promise.all([call('POST', `/event/${eventId}/artist`, { token: admin, body }),
        call('POST', '/artist', { token: admin, body })])).reverse()
      : await Promise.all([call('POST', '/artist', { token: admin, body }),
        call('POST', `/event/${eventId}/artist`, { token: admin, body })]);
    assert.ok([200, 201].includes(created.status), `${i}: POST /artist ${created.status} ${JSON.stringify(created.body)}`);
    assert.equal(linked.status, 201, `${i}: link ${JSON.stringify(linked.body)}`);
    const inEvent = linked.body.event.artists.find((a) => a.name === body.name);
    assert.deepEqual(created.body.artist, inEvent);
  }
});

// ---------------------------------------------------------------------------------------
// LEGACY_CLIENTS

test('LEGACY_CLIENTS off (the default): a token-less GET /account/<username> is a 401', async () => {
  for (const p of ['/account/alice', '//account//alice']) {
    const res = await call('GET', p);
    assert.equal(res.status, 401, p);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
  }
});

test('LEGACY_CLIENTS=true: token-less GET /account/<username> answers the account; the owner rule stands with a token', async () => {
  const shim = await startShim(ctx.database, { env: { LEGACY_CLIENTS: 'true' } });
  const get = (p, options) => call('GET', p, options, shim.base);
  try {
    // stderr, where the warning goes, may arrive after stdout's "listening" line
    await shim.waitForOutput(/warning: LEGACY_CLIENTS/);
    const bob = await call('POST', '/account', { body: { username: 'bob', password: 'bob-password' } }, shim.base);
    assert.equal(bob.status, 201);
    const bobToken = await login(shim.base, 'bob', 'bob-password');

    for (const p of ['/account/alice', '//account//alice', '/account//alice']) {
      const res = await get(p);
      assert.equal(res.status, 200, p);
      assert.deepEqual(Object.keys(res.body), ['account']);
      assert.equal(res.body.account.username, 'alice');
      assert.equal(res.body.account.is_admin, 0);
      assert.equal(typeof res.body.account.available_money, 'number');
      assert.ok(!('password_hash' in res.body.account));
      assert.equal(res.headers.get('cache-control'), 'no-store');
    }
    assert.equal((await get('/account/admin')).body.account.is_admin, 1);
    const unknown = await get('/account/nobody');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'not_found');
    for (const p of ['/account/%FF', '/account/%C3%A9', `/account/${'x'.repeat(40)}`, `/account/${'x'.repeat(300)}`,
      '/account/a%2Fb', '/account/%20']) {
      const res = await get(p);
      assert.ok([400, 404].includes(res.status), `${p}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    assert.equal((await get('/account/ALICE')).body.account.username, 'alice', 'any letter case, stored spelling');

    // with a token the owner rule applies, as with the setting off
    assert.equal((await get('/account/alice', { token: bobToken })).status, 403);
    assert.equal((await get('/account/alice', { headers: { Authorization: basic(bobToken) } })).status, 403);
    assert.equal((await get('/account/alice', { token: 'not-a-token' })).status, 401);
    assert.equal((await get('/account/alice', { token: `${alice}x` })).status, 401);
    assert.equal((await get('/account/alice', { headers: { Authorization: basic(alice) } })).status, 200);
    assert.equal((await get('/account/alice', { token: admin })).status, 200);

    // nothing else loosens: the other owner and admin reads still want a token
    for (const [method, p] of [['GET', '/orders/alice'], ['GET', '/order/alice'], ['GET', '/accounts'], ['GET', '/orders'],
      ['DELETE', '/account/alice'], ['POST', '/orders/alice']]) {
      const res = await call(method, p, { body: method === 'POST' ? { event_id: eventId, tickets_bought: 1 } : undefined }, shim.base);
      assert.equal(res.status, 401, `${method} ${p}`);
    }
    assert.equal((await get('/account/alice', { token: admin })).status, 200, 'alice still exists');

    // the setting reads like the others: only true/1/yes/on turn it on
    const off = await startShim(ctx.database, { env: { LEGACY_CLIENTS: 'false' } });
    try {
      assert.equal((await call('GET', '/account/alice', {}, off.base)).status, 401);
    } finally {
      await stopCleanly(off);
    }
  } finally {
    await stopCleanly(shim);
    assert.doesNotMatch(shim.output(), /internal error/);
  }
});

test('no request of this file got a 500', () => {
  const bad = seen.filter(([, , status]) => status >= 500);
  assert.deepEqual(bad, []);
  assert.ok(seen.length > 100, `only ${seen.length} requests`);
});
