// The authorization matrix (issue 6): every route of the API x every kind of caller -> the
// status it gets. The table below is the policy; read a row left to right.
//
// Identities (columns):
//   anon      no Authorization header
//   user      a user's token; the owner when the path names an account (/account/<u>,
//             /orders/<u>), alice otherwise
//   other     another user's token (bob)
//   admin     the admin's token
//   expired   correctly signed with the database's signing key (SECRET_KEY of the harness),
//             naming its kid and the claimed account's live session, but "exp" in the past
//   tampered  bob's real token with its payload rewritten, bob's signature kept
//   none      header {"alg":"none"}, empty signature
//   otherkey  HS256, but signed with another secret
//   basic     the user's token sent as HTTP Basic (token as username, empty password)
//   staff     door staff (role staff): checks tickets in, and may do nothing else
// The four forged tokens each claim the identity that would succeed on that route (the owner
// where the user column succeeds, the admin otherwise), so accepting one would show.
//
// Public routes never look at the token: the shim passes it only to the functions that take
// one (shim/routes.c), so a public route answers the same to a bad token as to none.
//
// Paths: alice, bob and admin are seeded accounts; /event/1, /artist/1 (linked to event 1)
// are the first event and artist of the database. ":event", ":artist", ":user" stand for an
// object seeded fresh for that cell alone, so that a 2xx cell really succeeds (its effect is
// checked) and a refused cell really refuses (the state is compared before and after).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { api, login, psql, SECRET_KEY, ROOT } from '../lib/harness.mjs';
import { setup, stopCleanly, basic } from './helpers.mjs';

const COLUMNS = ['anon', 'user', 'other', 'admin', 'expired', 'tampered', 'none', 'otherkey', 'basic', 'staff'];

const MATRIX = [
  // route                                          anon user other admin expired tampered none otherkey basic staff
  // the shim's own and the frontend
  ['GET',    '/healthz',                            200, 200, 200,  200,  200,    200,     200, 200,     200, 200],
  ['GET',    '/readyz',                             200, 200, 200,  200,  200,    200,     200, 200,     200, 200],
  ['GET',    '/',                                   200, 200, 200,  200,  200,    200,     200, 200,     200, 200],
  ['GET',    '/static/favicon.svg',                 200, 200, 200,  200,  200,    200,     200, 200,     200, 200],
  // accounts
  ['POST',   '/login',                              200, 200, 200,  200,  200,    200,     200, 200,     200, 200],
  ['POST',   '/account',                            201, 201, 201,  201,  201,    201,     201, 201,     201, 201],
  ['POST',   '/account/:user',                      201, 201, 201,  201,  201,    201,     201, 201,     201, 201],
  ['POST',   '/logout',                             401, 200, 200,  200,  401,    401,     401, 401,     200, 200],
  ['POST',   '/token',                              401, 200, 200,  200,  401,    401,     401, 401,     200, 200],
  ['GET',    '/account/alice',                      401, 200, 403,  200,  401,    401,     401, 401,     200, 403],
  ['PUT',    '/account/:user',                      401, 200, 403,  403,  401,    401,     401, 401,     200, 403],
  ['DELETE', '/account/:user',                      401, 403, 403,  200,  401,    401,     401, 401,     403, 403],
  ['GET',    '/accounts',                           401, 403, 403,  200,  401,    401,     401, 401,     403, 403],
  // events
  ['GET',    '/events',                             200, 200, 200,  200,  200,    200,     200, 200,     200, 200],
  ['GET',    '/event/1',                            200, 200, 200,  200,  200,    200,     200, 200,     200, 200],
  ['POST',   '/event',                              401, 403, 403,  201,  401,    401,     401, 401,     403, 403],
  ['PUT',    '/event/:event',                       401, 403, 403,  200,  401,    401,     401, 401,     403, 403],
  ['DELETE', '/event/:event',                       401, 403, 403,  200,  401,    401,     401, 401,     403, 403],
  ['GET',    '/event/1/artists',                    200, 200, 200,  200,  200,    200,     200, 200,     200, 200],
  ['GET',    '/event/1/artist/1',                   200, 200, 200,  200,  200,    200,     200, 200,     200, 200],
  ['POST',   '/event/:event/artist',                401, 403, 403,  201,  401,    401,     401, 401,     403, 403],
  ['DELETE', '/event/:event/artist/:artist',        401, 403, 403,  200,  401,    401,     401, 401,     403, 403],
  // artists
  ['GET',    '/artists',                            200, 200, 200,  200,  200,    200,     200, 200,     200, 200],
  ['GET',    '/artist/1',                           200, 200, 200,  200,  200,    200,     200, 200,     200, 200],
  ['POST',   '/artist',                             401, 403, 403,  201,  401,    401,     401, 401,     403, 403],
  ['PUT',    '/artist/:artist',                     401, 403, 403,  200,  401,    401,     401, 401,     403, 403],
  ['DELETE', '/artist/:artist',                     401, 403, 403,  200,  401,    401,     401, 401,     403, 403],
  ['GET',    '/artist/1/events',                    200, 200, 200,  200,  200,    200,     200, 200,     200, 200],
  // orders: only users buy, each for themselves; the owner or an admin reads
  ['POST',   '/orders/alice',                       401, 201, 403,  403,  401,    401,     401, 401,     201, 403],
  ['POST',   '/order/alice',                        401, 201, 403,  403,  401,    401,     401, 401,     201, 403],
  ['GET',    '/orders/alice',                       401, 200, 403,  200,  401,    401,     401, 401,     200, 403],
  ['GET',    '/order/alice',                        401, 200, 403,  200,  401,    401,     401, 401,     200, 403],
  ['GET',    '/orders',                             401, 403, 403,  200,  401,    401,     401, 401,     403, 403],
  // tickets: the buyer (or an admin) cancels; the door (staff or admin) checks in
  ['POST',   '/orders/alice/:order/cancel',         401, 200, 403,  200,  401,    401,     401, 401,     200, 403],
  ['POST',   '/checkin',                            401, 403, 403,  200,  401,    401,     401, 401,     403, 200],
  // sales: admins only
  ['GET',    '/sales',                              401, 403, 403,  200,  401,    401,     401, 401,     403, 403],
  ['GET',    '/sales/daily',                        401, 403, 403,  200,  401,    401,     401, 401,     403, 403],
];

// ---------------------------------------------------------------------------------------
// Tokens

const b64url = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');
const hs256 = (data, key) => createHmac('sha256', key).update(data).digest('base64url');
const now = () => Math.floor(Date.now() / 1000);
const OTHER_KEY = 'not-the-secret-key-0123456789abcdef0123456789abcdef';

const segment = (token, i) => JSON.parse(Buffer.from(token.split('.')[i], 'base64url').toString());
// The claims of a real token of `sub` ("sid": its live session), so that a forged token
// differs from a real one only where it claims to.
const realClaims = (sub) => ({ sub, sid: tokens[sub] ? segment(tokens[sub], 1).sid : 0, iat: now() });

// A JWT as the extension issues it, signed with `key`, naming the current key's kid.
function craft(sub, { exp = now() + 600, key = SECRET_KEY, header } = {}) {
  const head = header ?? { alg: 'HS256', typ: 'JWT', kid: segment(tokens.admin, 0).kid };
  const unsigned = `${b64url(head)}.${b64url({ ...realClaims(sub), exp })}`;
  return `${unsigned}.${hs256(unsigned, key)}`;
}

const forged = {
  expired: (sub) => craft(sub, { exp: now() - 60 }),
  // bob's header and signature around a payload that names `sub` and lives an hour
  // (never bob's own payload, even for sub = bob)
  tampered: (sub) => {
    const [header, , signature] = tokens.bob.split('.');
    return `${header}.${b64url({ ...realClaims(sub), exp: now() + 3600 })}.${signature}`;
  },
  none: (sub) => `${b64url({ alg: 'none', typ: 'JWT', kid: segment(tokens.admin, 0).kid })}.${b64url({ ...realClaims(sub), exp: now() + 600 })}.`,
  otherkey: (sub) => craft(sub, { key: OTHER_KEY }),
};

// ---------------------------------------------------------------------------------------
// Seeding and the per-route fixtures

let ctx;
const tokens = {};
let serial = 0;
const unique = (prefix) => `${prefix}${process.pid % 1000}x${++serial}`;

const adminApi = (method, p, body) => api(ctx.base, method, p, { token: tokens.admin, body });
async function must(promise, status) {
  const res = await promise;
  assert.equal(res.status, status, JSON.stringify(res.body));
  return res.body;
}

const eventBody = (name = unique('Ev')) => ({ name, place: 'Palau', city: 'Barcelona', date: '2031-05-01',
  price: 1, total_available_tickets: 1000 });
const artistBody = (name = unique('Ar')) => ({ name, country: 'ES', genre: 'rock' });

const seedEvent = async () => (await must(adminApi('POST', '/event', eventBody()), 201)).event.id;
const seedArtist = async () => (await must(adminApi('POST', '/artist', artistBody()), 201)).artist.id;
async function seedUser() {
  const username = unique('u');
  await must(api(ctx.base, 'POST', '/account', { body: { username, password: 'fresh-password' } }), 201);
  tokens[username] = await login(ctx.base, username, 'fresh-password');
  return username;
}

// What the admin sees of a resource: status and body, for before/after comparisons.
const look = async (p) => { const r = await adminApi('GET', p); return { status: r.status, body: r.body }; };
const buyerState = async (s) => ({ event: await look(`/event/${s.event}`), account: await look('/account/alice'),
  orders: await look('/orders/alice') });

// Per route (method + path of the table): `seed` makes the cell's fresh objects (fills the
// path's placeholders, gives the body), `state` is what a refusal must leave unchanged,
// `done` checks that a success really happened.
// The seeded identities log in again: a logout (or a password change) ended their session.
async function freshSessions() {
  tokens.admin = await login(ctx.base, 'admin', 'admin-password');
  for (const name of ['alice', 'bob']) tokens[name] = await login(ctx.base, name, `${name}-password`);
  tokens.door = await login(ctx.base, 'door', 'door-password');
}
const loginStatus = async (username, password) =>
  (await api(ctx.base, 'POST', '/login', { body: { username, password } })).status;

const FIXTURES = {
  'POST /logout': {
    seed: async () => ({ body: {} }),
    // the token used is over: the next request with it is a 401
    done: async (s, res, auth) => {
      assert.equal(res.body.message, 'logged out');
      const again = await api(ctx.base, 'GET', '/account/alice', { headers: { Authorization: auth } });
      assert.equal(again.status, 401);
    },
    after: freshSessions,
  },
  'POST /token': {
    done: async (s, res) => {
      assert.match(res.body.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.notEqual((await api(ctx.base, 'GET', '/events', { token: res.body.token })).status, 401);
    },
  },
  'PUT /account/:user': {
    seed: async () => {
      const user = await seedUser();
      return { user, body: { password: 'fresh-password', new_password: 'changed-password' } };
    },
    state: async (s) => ({ old: await loginStatus(s.user, 'fresh-password'), changed: await loginStatus(s.user, 'changed-password') }),
    done: async (s, res) => {
      assert.equal(res.body.account.username, s.user);
      assert.equal(await loginStatus(s.user, 'changed-password'), 200);
      assert.equal(await loginStatus(s.user, 'fresh-password'), 400);
      // the tokens issued before the change are revoked
      assert.equal((await api(ctx.base, 'GET', `/account/${s.user}`, { token: tokens[s.user] })).status, 401);
    },
  },
  'POST /login': {
    seed: async () => ({ body: { username: 'bob', password: 'bob-password' } }),
    done: async (s, res) => assert.match(res.body.token, /^[\w-]+\.[\w-]+\.[\w-]+$/),
  },
  'POST /account': {
    seed: async () => ({ body: { username: unique('new'), password: 'new-password' } }),
    done: async (s) => assert.equal((await look(`/account/${s.body.username}`)).status, 200),
  },
  // the original app's sign-up path: the account is named by the path
  'POST /account/:user': {
    seed: async () => ({ user: unique('path'), body: { password: 'path-password' } }),
    done: async (s) => assert.equal((await look(`/account/${s.user}`)).status, 200),
  },
  'DELETE /account/:user': {
    seed: async () => ({ user: await seedUser() }),
    state: async (s) => look(`/account/${s.user}`),
    done: async (s) => assert.equal((await look(`/account/${s.user}`)).status, 404),
  },
  'POST /event': {
    seed: async () => ({ body: eventBody() }),
    state: async () => look('/events'),
    done: async (s, res) => assert.equal((await look(`/event/${res.body.event.id}`)).body.event.name, s.body.name),
  },
  'PUT /event/:event': {
    seed: async () => ({ event: await seedEvent(), body: eventBody() }),
    state: async (s) => look(`/event/${s.event}`),
    done: async (s) => assert.equal((await look(`/event/${s.event}`)).body.event.name, s.body.name),
  },
  'DELETE /event/:event': {
    seed: async () => ({ event: await seedEvent() }),
    state: async (s) => look(`/event/${s.event}`),
    done: async (s) => assert.equal((await look(`/event/${s.event}`)).status, 404),
  },
  'POST /event/:event/artist': {
    seed: async () => ({ event: await seedEvent(), body: artistBody() }),
    state: async (s) => ({ event: await look(`/event/${s.event}`), artists: await look('/artists') }),
    done: async (s) => assert.deepEqual((await look(`/event/${s.event}/artists`)).body.artists.map((a) => a.name),
      [s.body.name]),
  },
  'DELETE /event/:event/artist/:artist': {
    seed: async () => {
      const s = { event: await seedEvent(), artist: await seedArtist() };
      await must(adminApi('POST', `/event/${s.event}/artist`, { id: s.artist }), 201);
      return s;
    },
    state: async (s) => ({ link: await look(`/event/${s.event}/artist/${s.artist}`), artist: await look(`/artist/${s.artist}`) }),
    done: async (s) => {
      assert.equal((await look(`/event/${s.event}/artist/${s.artist}`)).status, 404);
      assert.equal((await look(`/artist/${s.artist}`)).status, 200);
    },
  },
  'POST /artist': {
    seed: async () => ({ body: artistBody() }),
    state: async () => look('/artists'),
    done: async (s, res) => assert.equal((await look(`/artist/${res.body.artist.id}`)).body.artist.name, s.body.name),
  },
  'PUT /artist/:artist': {
    seed: async () => ({ artist: await seedArtist(), body: artistBody() }),
    state: async (s) => look(`/artist/${s.artist}`),
    done: async (s) => assert.equal((await look(`/artist/${s.artist}`)).body.artist.name, s.body.name),
  },
  'DELETE /artist/:artist': {
    seed: async () => ({ artist: await seedArtist() }),
    state: async (s) => look(`/artist/${s.artist}`),
    done: async (s) => assert.equal((await look(`/artist/${s.artist}`)).status, 404),
  },
};
// Buying: one ticket of a fresh event (price 1); a success costs alice 1 and adds one order.
for (const p of ['/orders/alice', '/order/alice']) {
  FIXTURES[`POST ${p}`] = {
    seed: async () => { const event = await seedEvent(); return { event, body: { event_id: event, tickets_bought: 1 } }; },
    state: buyerState,
    done: async (s, res) => {
      assert.equal(res.body.order.event_id, s.event);
      const after = await buyerState(s);
      assert.equal(after.event.body.event.total_available_tickets, 999);
      assert.equal(after.orders.body.orders.filter((o) => o.event_id === s.event).length, 1);
    },
  };
}

// An order of alice's (one ticket of a fresh event, price 1), for the ticket rows.
async function seedOrder() {
  const event = await seedEvent();
  const res = await must(api(ctx.base, 'POST', '/orders/alice', { token: tokens.alice,
    body: { event_id: event, tickets_bought: 1 } }), 201);
  return { event, order: res.order.id, code: res.order.tickets[0].code };
}
const orderOf = async (s) => (await look('/orders/alice')).body.orders.find((o) => o.id === s.order);
FIXTURES['POST /orders/alice/:order/cancel'] = {
  seed: seedOrder,
  state: buyerState,
  done: async (s, res) => {
    assert.equal(res.body.refund, 1);
    assert.equal((await orderOf(s)).status, 'cancelled');
  },
};
FIXTURES['POST /checkin'] = {
  seed: async () => { const s = await seedOrder(); return { ...s, body: { code: s.code } }; },
  state: buyerState,
  done: async (s) => assert.notEqual((await orderOf(s)).tickets[0].checked_in_at, null),
};

// The account a path names, whose owner is the "user" column.
const ownerOf = (p) => (p.match(/^\/(?:account|orders|order)\/([^/]+)$/) ?? [])[1] ?? 'alice';
const fill = (template, s) => template.replace(/:(event|artist|user|order)\b/g, (_, k) => String(s[k]));

function authorization(column, owner, claim) {
  switch (column) {
    case 'anon': return undefined;
    case 'user': return `Bearer ${tokens[owner]}`;
    case 'other': return `Bearer ${tokens.bob}`;
    case 'admin': return `Bearer ${tokens.admin}`;
    case 'basic': return basic(tokens[owner]);
    case 'staff': return `Bearer ${tokens.door}`;
    default: return `Bearer ${forged[column](claim)}`;
  }
}

// One cell: seed, call, and return what is wrong with it ('' if nothing).
async function runCell(method, template, column, expected, claimFor) {
  const fixture = FIXTURES[`${method} ${template}`] ?? {};
  const seeded = fixture.seed ? await fixture.seed() : {};
  const urlPath = fill(template, seeded);
  const owner = ownerOf(urlPath);
  const auth = authorization(column, owner, claimFor(owner));
  const before = fixture.state && expected >= 400 ? await fixture.state(seeded) : undefined;
  const res = await api(ctx.base, method, urlPath, { body: seeded.body, headers: auth ? { Authorization: auth } : {} });
  const where = `${method} ${urlPath} as ${column}`;
  if (res.status !== expected) {
    return `${where}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
  }
  try {
    if (expected === 401) {
      assert.equal(res.headers.get('www-authenticate'), 'Bearer', 'WWW-Authenticate');
      assert.equal(res.body.code, 'unauthenticated');
      assert.equal(typeof res.body.message, 'string');
    }
    if (expected === 403) {
      assert.equal(res.headers.get('www-authenticate'), null, 'no WWW-Authenticate on a 403');
      assert.equal(res.body.code, 'forbidden');
      assert.equal(typeof res.body.message, 'string');
    }
    if (expected < 300 && fixture.done) await fixture.done(seeded, res, auth);
    if (before !== undefined) assert.deepEqual(await fixture.state(seeded), before, 'a refused request changed the state');
  } catch (err) {
    return `${where}: ${err.message.split('\n').slice(0, 12).join('\n')}`;
  } finally {
    if (fixture.after) await fixture.after(seeded);
  }
  return '';
}

// ---------------------------------------------------------------------------------------

before(async () => {
  ctx = await setup('http_authz_matrix');
  tokens.admin = await login(ctx.base, 'admin', 'admin-password');
  for (const name of ['alice', 'bob']) {
    await must(api(ctx.base, 'POST', '/account', { body: { username: name, password: `${name}-password` } }), 201);
    tokens[name] = await login(ctx.base, name, `${name}-password`);
  }
  psql(ctx.database, "SET ticketmonster.password_cost = 1; SELECT tm_create_staff('door', 'door-password')");
  tokens.door = await login(ctx.base, 'door', 'door-password');
  // event 1 with artist 1, for the read-only rows
  const event = (await must(adminApi('POST', '/event', eventBody('Seed event')), 201)).event.id;
  const artist = (await must(adminApi('POST', '/artist', artistBody('Seed artist')), 201)).artist.id;
  assert.deepEqual([event, artist], [1, 1]);
  await must(adminApi('POST', '/event/1/artist', { id: 1 }), 201);
});
after(async () => { await stopCleanly(ctx.shim); });

test('the forged tokens differ from a good one only where they claim to', async () => {
  // Same crafting, good key and future exp: accepted. So the expired and otherkey columns
  // fail for their expiry and their key alone.
  assert.equal((await api(ctx.base, 'GET', '/account/alice', { token: craft('alice') })).status, 200);
  const expired = await api(ctx.base, 'GET', '/account/alice', { token: forged.expired('alice') });
  assert.equal(expired.status, 401);
  assert.match(expired.body.message, /expired/);
  // bob's token untouched is accepted; with the payload rewritten it is not.
  assert.equal((await api(ctx.base, 'GET', '/account/bob', { token: tokens.bob })).status, 200);
  assert.equal((await api(ctx.base, 'GET', '/account/bob', { token: forged.tampered('bob') })).status, 401);
});

test('the matrix names every route of shim/routes.c', () => {
  const source = readFileSync(path.join(ROOT, 'shim/routes.c'), 'utf8');
  const routes = [...source.matchAll(/\{"(GET|POST|PUT|DELETE|PATCH)", "([^"]+)"/g)].map((m) => [m[1], m[2]]);
  assert.ok(routes.length >= 25, `parsed only ${routes.length} routes`);
  const segmentMatches = (pat, seg) => (pat === '{int}' ? /^(\d+|:\w+)$/.test(seg) : pat === '{str}' ? seg !== '' : pat === seg);
  const covers = ([method, pattern], [m, p]) => {
    const a = pattern.split('/');
    const b = p.split('/');
    return m === method && a.length === b.length && a.every((seg, i) => segmentMatches(seg, b[i]));
  };
  const missing = routes.filter((r) => !MATRIX.some((row) => covers(r, row)));
  assert.deepEqual(missing, [], 'routes without a row in the matrix');
  for (const row of MATRIX) assert.equal(row.length, 2 + COLUMNS.length, `${row[0]} ${row[1]}: one status per column`);
});

for (const [method, template, ...expected] of MATRIX) {
  test(`${method} ${template}`, async () => {
    // The forged tokens claim whoever would succeed here.
    const userOk = expected[COLUMNS.indexOf('user')] < 300;
    const claimFor = (owner) => (userOk ? owner : 'admin');
    const problems = [];
    for (const [i, column] of COLUMNS.entries()) {
      const problem = await runCell(method, template, column, expected[i], claimFor);
      if (problem) problems.push(problem);
    }
    if (problems.length) assert.fail(`${problems.length} cell(s) wrong:\n${problems.join('\n')}`);
  });
}
