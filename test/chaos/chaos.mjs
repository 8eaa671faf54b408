// Fault injection and soak against a real shim and a cluster of this run's own (test/chaos/run
// creates it and sets PGHOST/PGPORT/PGUSER). Prints a summary; exits 1 on any violation.
//
// Phase 1, faults: workers keep buying (single lines and small carts, a hot event and spread
// events), each purchase with its own Idempotency-Key; a 5xx or a network error is retried
// with the same request and key, as a real client does. Meanwhile: SIGKILL of the shim (and a
// restart, the only one), PostgreSQL restarts with -m fast and -m immediate, and
// pg_terminate_backend of the shim's connections. Then the shim must serve again by itself,
// and the database must agree with everything the clients were told.
// Phase 2 (not with --short), soak: mixed traffic without faults while the shim's VmRSS and
// open descriptors are sampled; a clear upward trend is a leak.
import { execFile as execFileCb, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, readdirSync, mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freshDatabase, startShim, login, ROOT } from '../lib/harness.mjs';

const execFile = promisify(execFileCb);

const { values: opt } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    cluster: { type: 'string' },
    port: { type: 'string' },
    'fault-seconds': { type: 'string' },
    'soak-seconds': { type: 'string' },
    rounds: { type: 'string' },
    workers: { type: 'string', default: '16' },
    kinds: { type: 'string' },
    'slow-commit-ms': { type: 'string', default: '2' },
    users: { type: 'string', default: '64' },
    'log-dir': { type: 'string', default: path.join(ROOT, '.tmp/h-chaos-log') },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(`usage: test/chaos/run [--short] [--fault-seconds N] [--rounds N] [--soak-seconds N]
                      [--workers N] [--users N] [--log-dir DIR]
  --short          ~45 s: 25 s of faults (2 rounds of each kind), no soak
  --fault-seconds  length of the fault phase (default 180, short 25)
  --rounds         faults of each kind (default 5, short 2)
  --soak-seconds   length of the soak (default 600, short 0)
  --slow-commit-ms each purchase's commit takes this much longer (default 2; 0: off)
  --kinds          only these faults, comma-separated: shim_kill,pg_fast,pg_immediate,pg_terminate_backend
  --log-dir        where every purchase's responses and the shim's stderr are written`);
  process.exit(0);
}
if (!opt.cluster || !opt.port || !process.env.PGHOST) {
  console.error('chaos: run me through test/chaos/run, which makes the cluster');
  process.exit(2);
}

const SHORT = opt.short;
const FAULT_SECONDS = Number(opt['fault-seconds'] ?? (SHORT ? 25 : 180));
const ROUNDS = Number(opt.rounds ?? (SHORT ? 2 : 5));
const SOAK_SECONDS = Number(opt['soak-seconds'] ?? (SHORT ? 0 : 600));
const WORKERS = Number(opt.workers);
const USERS = Number(opt.users);
const CLUSTER = path.resolve(ROOT, opt.cluster);
const PGPORT = opt.port;
const DATABASE = 'tm_chaos';
const WEB_CONCURRENCY = 8;
const MAX_RETRIES = 10;            // per purchase, after the first attempt
// Bounds for hangs, not speed targets: a loaded machine stays far inside them (issue 17).
const REQUEST_TIMEOUT_MS = 120000;  // a request not answered by then counts as a network error
const RECOVERY_HANG_MS = 300000;    // the shim serving again after the faults
const PLATFORM_KILL_MS = 30000;     // SIGTERM to exit: Heroku's SIGKILL comes 30 s after SIGTERM
const HOT_TICKETS = SHORT ? 1500 : 5000;    // each hot event sells out: the sold-out race too
const HOT_EVENTS = 40;                       // sold out, the buyers move on to the next one
const SPREAD_EVENTS = 20;
const INITIAL_MONEY = 10000000;
const RUN_ID = Date.now().toString(36);
const SLOW_COMMIT_MS = Number(opt['slow-commit-ms']);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rand = (n) => Math.floor(Math.random() * n);
const pick = (a) => a[rand(a.length)];
const elapsed = (t0) => ((Date.now() - t0) / 1000).toFixed(1);
const log = (...a) => console.log(`[${elapsed(T0)}s]`, ...a);
const T0 = Date.now();

const violations = [];
function violation(kind, detail) {
  violations.push({ kind, detail });
  if (violations.length <= 50) log(`VIOLATION ${kind}: ${detail}`);
}

// ---------------------------------------------------------------------------------------------
// The cluster: stop it as its owner (pg_ctl refuses root), start it with tools/pg-cluster.

const PG_BINDIR = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
const asOwner = (cmd, args) => (process.getuid() === 0
  ? execFile('runuser', ['-u', 'postgres', '--', cmd, ...args])
  : execFile(cmd, args));
const pgStop = (mode) => asOwner(path.join(PG_BINDIR, 'pg_ctl'),
  ['-D', path.join(CLUSTER, 'data'), '-m', mode, '-w', '-t', '300', 'stop']);
const pgStart = () => execFile(path.join(ROOT, 'tools/pg-cluster'), ['start', CLUSTER, PGPORT]);
// harness.psql with room for the whole orders table in its answer
const psql = (database, sql) => execFileSync('psql',
  ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', sql],
  { encoding: 'utf8', maxBuffer: 1 << 30 }).trim();
const psqlAsync = async (sql) => (await execFile('psql',
  ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', DATABASE, '-c', sql],
  { encoding: 'utf8', maxBuffer: 1 << 30 })).stdout.trim();

// ---------------------------------------------------------------------------------------------
// The shim: one at a time; the workers always use the current one's address.

const state = { shim: null, base: null, expectedExit: new WeakSet(), stderr: [] };

async function launchShim() {
  const shim = await startShim(DATABASE, {
    // All the load comes from one address: let it hold as many connections as it opens.
    env: { WEB_CONCURRENCY: String(WEB_CONCURRENCY), TOKEN_TTL: '86400', MAX_CONNECTIONS_PER_ADDRESS: '500' } });
  // One log line per request on stdout: drain it without keeping it (a soak makes millions).
  shim.proc.stdout.removeAllListeners('data');
  shim.proc.stdout.on('data', () => {});
  shim.proc.stderr.on('data', (d) => state.stderr.push(`[${elapsed(T0)}s pid ${shim.proc.pid}] ${d}`));
  shim.exited.then(({ code, signal }) => {
    if (!state.expectedExit.has(shim)) violation('shim_died', `pid ${shim.proc.pid} exited by itself: code ${code} signal ${signal}`);
  });
  state.shim = shim;
  state.base = shim.base;
  return shim;
}

// ---------------------------------------------------------------------------------------------
// HTTP: every attempt counted; a network error is status 0.

function newStats() {
  return { requests: 0, byStatus: {}, http5xx: 0, http500: 0, network: 0, networkKinds: {}, retries: 0,
    purchases: 0, acknowledged: 0, refused: {}, gaveUp: 0, unexpected: 0, cancels: 0, cancelled: 0 };
}
const stats = { faults: newStats(), soak: newStats() };
let phase = 'faults';

async function http(method, urlPath, { token, body, key } = {}) {
  const st = stats[phase];
  st.requests++;
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (key) headers['Idempotency-Key'] = key;
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  try {
    const res = await fetch(state.base + urlPath, {
      method, headers, body: payload, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await res.text();
    let parsed = text;
    try { parsed = JSON.parse(text); } catch { /* not JSON */ }
    st.byStatus[res.status] = (st.byStatus[res.status] ?? 0) + 1;
    if (res.status >= 500) st.http5xx++;
    if (res.status === 500) {
      st.http500++;
      violation('http_500', `${method} ${urlPath}: ${text.slice(0, 200)}`);
    }
    return { status: res.status, body: parsed };
  } catch (err) {
    const kind = err.cause?.code ?? err.name ?? 'error';
    st.network++;
    st.networkKinds[kind] = (st.networkKinds[kind] ?? 0) + 1;
    return { status: 0, error: `${kind}: ${err.cause?.message ?? err.message}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Purchases: every attempt's answer is kept; the verification compares them with the database.

const purchases = [];
let keySeq = 0;
let users = [];           // { name, token }
let hotIds = [];
let hotIndex = 0;
const hot = () => hotIds[Math.min(hotIndex, hotIds.length - 1)];
let spreadIds = [];

function purchaseBody() {
  const line = (id) => ({ event_id: id, tickets_bought: 1 + rand(3) });
  const r = Math.random();
  if (r < 0.4) return line(hot());
  if (r < 0.7) return line(pick(spreadIds));
  // a cart of 2 or 3 distinct events, with or without the hot one
  const ids = new Set(Math.random() < 0.5 ? [hot()] : []);
  const n = 2 + rand(2);
  while (ids.size < n) ids.add(pick(spreadIds));
  return { orders: [...ids].map(line) };
}

const linesOf = (body) => (body.orders ?? [body]).map((l) => [l.event_id, l.tickets_bought]);
const ordersOf = (resBody) => (resBody?.orders ?? (resBody?.order ? [resBody.order] : null));

async function purchase(user = pick(users), body = purchaseBody()) {
  const st = stats[phase];
  const rec = { key: `${RUN_ID}-${++keySeq}`, user: user.name, body, phase, attempts: [], outcome: null, ids: null };
  purchases.push(rec);
  st.purchases++;
  for (let attempt = 0; ; attempt++) {
    const t = Date.now();
    const res = await http('POST', `/orders/${user.name}`, { token: user.token, body, key: rec.key });
    const orders = res.status === 201 ? ordersOf(res.body) : null;
    rec.attempts.push({ at: Date.now() - T0, ms: Date.now() - t, status: res.status,
      code: res.body?.code, ids: orders?.map((o) => o.id), error: res.error });
    if (res.status === 201) {
      const want = JSON.stringify(linesOf(body));
      const got = JSON.stringify((orders ?? []).map((o) => [o.event_id, o.tickets_bought]));
      if (got !== want) violation('wrong_response', `key ${rec.key}: asked ${want}, answered ${got}`);
      const ids = (orders ?? []).map((o) => o.id);
      if (rec.ids && JSON.stringify(rec.ids) !== JSON.stringify(ids)) {
        violation('double_charge', `key ${rec.key}: acknowledged as ${rec.ids} and as ${ids}`);
      }
      rec.ids = ids;
      rec.outcome = 'ack';
      st.acknowledged++;
      return rec;
    }
    if (res.status === 0 || res.status >= 500) {
      if (attempt >= MAX_RETRIES) {
        rec.outcome = 'gave_up';
        st.gaveUp++;
        return rec;
      }
      st.retries++;
      await sleep(Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random()));
      continue;
    }
    if (res.status === 409) {
      // the current hot event is sold out: the crowd moves on to the next one
      if (res.body?.code === 'sold_out' && linesOf(body).some(([id]) => id === hot())) {
        hotIndex = Math.max(hotIndex, hotIds.indexOf(hot()) + 1);
      }
      rec.outcome = 'refused';
      st.refused[res.body?.code] = (st.refused[res.body?.code] ?? 0) + 1;
      return rec;
    }
    rec.outcome = 'unexpected';
    st.unexpected++;
    violation('unexpected_status', `key ${rec.key}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    return rec;
  }
}

// Buyers also cancel: one of their acknowledged orders, retried through faults like a
// purchase (a cancel is safe to repeat: a second one is 409 already_cancelled). A 200 says the
// refund; a 409 already_cancelled after a failed attempt means that attempt committed.
const cancels = [];

async function cancel() {
  const candidates = purchases.filter((r) => r.outcome === 'ack' && !r.cancelling);
  if (!candidates.length) return purchase();
  const rec = pick(candidates);
  rec.cancelling = true;
  const st = stats[phase];
  const user = users.find((u) => u.name === rec.user);
  const c = { order: rec.ids[0], user: rec.user, lines: linesOf(rec.body), attempts: [], outcome: null, refund: null };
  cancels.push(c);
  st.cancels++;
  for (let attempt = 0; ; attempt++) {
    const res = await http('POST', `/orders/${user.name}/${c.order}/cancel`, { token: user.token });
    c.attempts.push({ at: Date.now() - T0, status: res.status, code: res.body?.code, error: res.error });
    if (res.status === 200) {
      c.outcome = 'ack';
      c.refund = res.body.refund;
      if (res.body.order?.status !== 'cancelled' || res.body.order?.id !== c.order) {
        violation('wrong_response', `cancel of order ${c.order}: answered ${JSON.stringify(res.body).slice(0, 200)}`);
      }
      st.cancelled++;
      return c;
    }
    if (res.status === 409 && res.body?.code === 'already_cancelled' && attempt > 0) {
      c.outcome = 'ack_earlier';
      st.cancelled++;
      return c;
    }
    if ((res.status === 0 || res.status >= 500) && attempt < MAX_RETRIES) {
      st.retries++;
      await sleep(Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random()));
      continue;
    }
    c.outcome = res.status === 0 || res.status >= 500 ? 'gave_up' : 'unexpected';
    if (c.outcome === 'unexpected') {
      st.unexpected++;
      violation('unexpected_status', `cancel of order ${c.order}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
    return c;
  }
}

// ---------------------------------------------------------------------------------------------
// Faults.

const faults = { shim_kill: [], pg_fast: [], pg_immediate: [], pg_terminate_backend: [] };

const FAULTS = {
  async shim_kill() {
    const old = state.shim;
    state.expectedExit.add(old);
    old.proc.kill('SIGKILL');
    await old.exited;
    await launchShim();          // the restart a supervisor would do
    return `pid ${old.proc.pid} -> ${state.shim.proc.pid}`;
  },
  async pg_fast() {
    await pgStop('fast');
    await sleep(300 + rand(1200));
    await pgStart();
  },
  async pg_immediate() {
    await pgStop('immediate');
    await sleep(300 + rand(1200));
    await pgStart();             // crash recovery
  },
  async pg_terminate_backend() {
    let killed = 0;
    for (let i = 0; i < 3; i++) {
      killed += Number(await psqlAsync(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
        WHERE datname = '${DATABASE}' AND application_name = 'ticketmonster-web'`));
      await sleep(150);
    }
    return `${killed} backends`;
  },
};

async function faultSchedule(seconds, rounds, isStopped) {
  const kinds = opt.kinds ? opt.kinds.split(',') : Object.keys(FAULTS);
  for (const k of kinds) if (!FAULTS[k]) throw new Error(`no fault called ${k}`);
  const plan = [];
  for (let r = 0; r < rounds; r++) {
    // each round in another order, so that no fault always follows the same one
    const round = kinds.slice(r % kinds.length).concat(kinds.slice(0, r % kinds.length));
    if (r % 2) round.reverse();
    plan.push(...round);
  }
  const spacing = (seconds * 1000) / (plan.length + 1);
  const start = Date.now();
  for (let i = 0; i < plan.length && !isStopped(); i++) {
    const due = start + spacing * (i + 1);
    await sleep(Math.max(0, due - Date.now()));
    const kind = plan[i];
    const t = Date.now();
    try {
      const what = await FAULTS[kind]();
      faults[kind].push(Date.now() - t);
      log(`fault ${i + 1}/${plan.length} ${kind} (${Date.now() - t} ms)${what ? ` ${what}` : ''}`);
    } catch (err) {
      violation('fault_failed', `${kind}: ${err.stderr ?? err.message}`);
      await pgStart().catch(() => {});
    }
  }
  await sleep(Math.max(0, start + seconds * 1000 - Date.now()));
}

// ---------------------------------------------------------------------------------------------
// Setup.

function setup() {
  freshDatabase(DATABASE);
  psql(DATABASE, `
    SET ticketmonster.password_cost = 1;
    SELECT count(tm_account_create(jsonb_build_object('username', 'buyer' || i,
                                                      'password', 'chaos-password-' || i)))
    FROM generate_series(1, ${USERS}) i;
    UPDATE accounts SET available_money = ${INITIAL_MONEY} WHERE NOT is_admin;
    SELECT count(tm_event_create(NULL, jsonb_build_object('name', 'Hot Gig ' || i, 'place', 'Stadium',
        'city', 'Madrid', 'date', date '2029-01-01' + i, 'price', 7, 'total_available_tickets', ${HOT_TICKETS})))
    FROM generate_series(1, ${HOT_EVENTS}) i;
    SELECT count(tm_event_create(NULL, jsonb_build_object('name', 'Spread Gig ' || i, 'place', 'Club',
        'city', 'Madrid', 'date', date '2030-01-01' + i, 'price', 1 + i % 9,
        'total_available_tickets', 1000000)))
    FROM generate_series(1, ${SPREAD_EVENTS}) i;
    -- what test/stress/invariants.sql checks against: the buyable events and every account
    CREATE TABLE stress_budget AS SELECT username, available_money AS initial FROM accounts;
    CREATE TABLE stress_stock AS SELECT id, price, tickets_left AS initial FROM events;
    -- invariants.sql compares the refunds a run recorded with the cancelled orders' value;
    -- here verify() checks every acknowledged cancel against the database instead, and the
    -- money invariant (spent = confirmed orders' cost) covers every refund
    CREATE VIEW stress_refunds AS
        SELECT id AS order_id, tickets_bought::bigint * price AS amount FROM orders WHERE status = 'cancelled';
    -- events only the soak's admin edits (price and stock change: not in stress_stock)
    SELECT count(tm_event_create(NULL, jsonb_build_object('name', 'Admin Gig ' || i, 'place', 'Hall',
        'city', 'Sevilla', 'date', date '2031-01-01' + i, 'price', 10, 'total_available_tickets', 100)))
    FROM generate_series(1, 5) i;`);
  // Slow commits, as with synchronous replication or a slow disk: the commit of a purchase
  // (a deferred trigger on the update that stores its response) takes SLOW_COMMIT_MS more, so
  // that faults often land between the function's answer and the commit. An answer must
  // never be taken for a commit: with the shim of before the fix in shim/db.c, a backend
  // terminated or an immediate shutdown in that window gave a 201 for an order never made.
  if (SLOW_COMMIT_MS > 0) {
    psql(DATABASE, `
      CREATE FUNCTION chaos_slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(${SLOW_COMMIT_MS / 1000}); RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER chaos_slow_commit AFTER UPDATE ON idempotency_keys
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION chaos_slow_commit();`);
  }
  hotIds = psql(DATABASE, `SELECT id FROM events WHERE name LIKE 'Hot Gig %' ORDER BY id`)
    .split('\n').map(Number);
  spreadIds = psql(DATABASE, `SELECT id FROM events WHERE name LIKE 'Spread Gig %' ORDER BY id`)
    .split('\n').map(Number);
}

// ---------------------------------------------------------------------------------------------
// After the faults: the shim must answer again without being restarted.

async function awaitRecovery() {
  const t = Date.now();
  let res;
  while (Date.now() - t < RECOVERY_HANG_MS) {
    res = await http('GET', '/readyz');
    if (res.status === 200) break;
    await sleep(200);
  }
  if (res.status !== 200) {
    violation('no_recovery', `/readyz still ${res.status} ${res.error ?? ''} after ${RECOVERY_HANG_MS / 1000} s`);
    return;
  }
  // every worker thread's connection, not just one: a burst wider than the pool
  for (let round = 0; round < 3; round++) {
    const all = await Promise.all(Array.from({ length: 4 * WEB_CONCURRENCY }, () => http('GET', '/events')));
    const bad = all.filter((r) => r.status !== 200);
    if (bad.length) violation('no_recovery', `${bad.length} of ${all.length} GET /events failed: ${bad[0].status} ${bad[0].error ?? JSON.stringify(bad[0].body)}`);
  }
  // and writes, one per user of a few
  const probes = await Promise.all(users.slice(0, 2 * WEB_CONCURRENCY).map((u) =>
    purchase(u, { event_id: spreadIds[0], tickets_bought: 1 })));
  const notAck = probes.filter((p) => p.outcome !== 'ack' || p.attempts.length !== 1);
  if (notAck.length) violation('no_recovery', `${notAck.length} probe purchases needed retries or failed: ${JSON.stringify(notAck[0].attempts)}`);
  log(`shim serving again ${Date.now() - t} ms after the last fault phase request`);
}

// ---------------------------------------------------------------------------------------------
// Verification: the database against what the clients were told.

function verify(label) {
  const result = { ordersLost: 0, doubleCharges: 0, invariantViolations: 0, committedUnacknowledged: 0,
    refusedButCommitted: 0, orders: 0, keys: 0 };
  const dbOrders = new Map();
  for (const [id, username, eventId, tickets] of JSON.parse(psql(DATABASE,
    `SELECT coalesce(json_agg(json_build_array(id, username, event_id, tickets_bought)), '[]') FROM orders`))) {
    dbOrders.set(id, { username, eventId, tickets });
  }
  const dbKeys = new Map();
  for (const [username, key, response] of JSON.parse(psql(DATABASE,
    `SELECT coalesce(json_agg(json_build_array(username, key, CASE WHEN response <> 'null' THEN
       jsonb_path_query_array(response, '$.order.id') || jsonb_path_query_array(response, '$.orders[*].id')
     END)), '[]') FROM idempotency_keys`))) {
    dbKeys.set(`${username}/${key}`, response);
  }
  result.orders = dbOrders.size;
  result.keys = dbKeys.size;

  // 1. every order acknowledged with 201 is there, as acknowledged, under its key
  for (const rec of purchases) {
    if (rec.outcome !== 'ack') continue;
    const lines = linesOf(rec.body);
    rec.ids.forEach((id, i) => {
      const o = dbOrders.get(id);
      if (!o || o.username !== rec.user || o.eventId !== lines[i][0] || o.tickets !== lines[i][1]) {
        result.ordersLost++;
        violation('order_lost', `order ${id} (key ${rec.key}, ${rec.user}, ${JSON.stringify(lines[i])}) acknowledged but ${o ? `in the database as ${JSON.stringify(o)}` : 'not in the database'}; attempts ${JSON.stringify(rec.attempts)}`);
      }
    });
    const stored = dbKeys.get(`${rec.user}/${rec.key}`);
    if (JSON.stringify(stored) !== JSON.stringify(rec.ids)) {
      violation('key_mismatch', `key ${rec.key}: acknowledged ${rec.ids}, stored ${JSON.stringify(stored)}`);
    }
  }

  // 2. every order in the database belongs to exactly one key (all purchases here send one)
  const owner = new Map();
  for (const [k, ids] of dbKeys) {
    for (const id of ids ?? []) {
      if (owner.has(id)) {
        result.doubleCharges++;
        violation('double_charge', `order ${id} named by keys ${owner.get(id)} and ${k}`);
      }
      owner.set(id, k);
    }
  }
  for (const id of dbOrders.keys()) {
    if (!owner.has(id)) {
      result.doubleCharges++;
      violation('double_charge', `order ${id} ${JSON.stringify(dbOrders.get(id))} belongs to no idempotency key`);
    }
  }
  const namedOrders = [...dbKeys.values()].reduce((n, ids) => n + (ids?.length ?? 0), 0);
  if (namedOrders !== dbOrders.size) {
    violation('order_count', `${dbOrders.size} orders, but the keys name ${namedOrders}`);
  }

  // 3. keys the client never saw acknowledged: committed (answer lost) or refused
  const byKey = new Map(purchases.map((r) => [`${r.user}/${r.key}`, r]));
  for (const [k, ids] of dbKeys) {
    const rec = byKey.get(k);
    if (!rec) { violation('unknown_key', `key ${k} in the database was never sent`); continue; }
    const lines = linesOf(rec.body);
    (ids ?? []).forEach((id, i) => {
      const o = dbOrders.get(id);
      if (o && (o.eventId !== lines[i][0] || o.tickets !== lines[i][1])) {
        violation('wrong_order', `key ${k}: order ${id} is ${JSON.stringify(o)}, asked ${JSON.stringify(lines[i])}`);
      }
    });
    if (rec.outcome === 'ack') continue;
    if (rec.outcome === 'gave_up') result.committedUnacknowledged++;
    else {
      result.refusedButCommitted++;
      violation('refused_but_committed', `key ${k}: the client got ${rec.outcome} (${JSON.stringify(rec.attempts)}), the database has orders ${ids}`);
    }
  }

  // 4. every acknowledged cancel is cancelled, refunded its value; nothing else is cancelled
  const status = new Map(JSON.parse(psql(DATABASE, `SELECT coalesce(json_agg(json_build_array(id, status,
      tickets_bought::bigint * price)), '[]') FROM orders`)).map(([id, st, value]) => [id, { st, value }]));
  const tried = new Set(cancels.map((c) => c.order));
  for (const c of cancels) {
    const o = status.get(c.order);
    if ((c.outcome === 'ack' || c.outcome === 'ack_earlier') && o?.st !== 'cancelled') {
      violation('cancel_lost', `order ${c.order}: cancel acknowledged, the database says ${o?.st}`);
    }
    if (c.outcome === 'ack' && o && c.refund !== o.value) {
      violation('wrong_refund', `order ${c.order}: refunded ${c.refund}, worth ${o.value}`);
    }
  }
  for (const [id, o] of status) {
    if (o.st === 'cancelled' && !tried.has(id)) violation('cancelled_unasked', `order ${id} is cancelled, nobody asked`);
  }
  result.cancelled = [...status.values()].filter((o) => o.st === 'cancelled').length;

  // 5. the invariants of "Rules for buying", as test/stress checks them
  const out = psql(DATABASE, readFileSync(path.join(ROOT, 'test/stress/invariants.sql'), 'utf8'));
  for (const line of out.split('\n').filter(Boolean)) {
    result.invariantViolations++;
    violation('invariant', line);
  }
  log(`verified (${label}): ${result.orders} orders under ${result.keys} keys`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Soak: mixed traffic, the shim's memory and descriptors sampled.

function sampleShim() {
  const pid = state.shim.proc.pid;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  const fds = readdirSync(`/proc/${pid}/fd`).length;
  return { t: Date.now() - T0, rssKb, fds };
}

async function soak(seconds) {
  const admin = { name: 'admin', token: await login(state.base, 'admin', 'admin-password') };
  const adminIds = psql(DATABASE, `SELECT id FROM events WHERE name LIKE 'Admin Gig %' ORDER BY id`)
    .split('\n').map(Number);
  const allIds = [...hotIds, ...spreadIds, ...adminIds];
  let seq = 0;
  const expect = (what, res, ...ok) => {
    if (res.status !== 0 && res.status < 500 && !ok.includes(res.status)) {
      stats.soak.unexpected++;
      violation('unexpected_status', `${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
  };
  const ops = [
    [30, async () => expect('GET /events', await http('GET', '/events'), 200)],
    [15, async () => expect('GET /event', await http('GET', `/event/${pick(allIds)}`), 200)],
    [5, async () => expect('GET /artists', await http('GET', '/artists'), 200)],
    [5, async () => {
      const u = pick(users);
      expect('POST /login', await http('POST', '/login', { body: { username: u.name, password: `chaos-password-${u.name.slice(5)}` } }), 200);
    }],
    [10, async () => { const u = pick(users); expect('GET /account', await http('GET', `/account/${u.name}`, { token: u.token }), 200); }],
    [30, () => purchase()],
    [5, () => cancel()],
    [4, async () => {
      const id = pick(adminIds);
      expect('PUT /event', await http('PUT', `/event/${id}`, { token: admin.token, body: {
        name: `Admin Gig ${adminIds.indexOf(id) + 1}`, place: `Hall ${rand(1000)}`, city: 'Sevilla',
        date: `2031-01-${String(2 + adminIds.indexOf(id)).padStart(2, '0')}`, price: 5 + rand(20),
        total_available_tickets: 50 + rand(100) } }), 200);
    }],
    [1, async () => {
      const created = await http('POST', '/event', { token: admin.token, body: {
        name: `Churn ${RUN_ID} ${++seq}`, place: 'Tent', city: 'Bilbao', date: '2032-06-01',
        price: 3, total_available_tickets: 10 } });
      expect('POST /event', created, 201);
      if (created.status === 201) expect('DELETE /event', await http('DELETE', `/event/${created.body.event.id}`, { token: admin.token }), 200);
    }],
  ];
  const total = ops.reduce((n, [w]) => n + w, 0);
  const op = () => {
    let r = rand(total);
    for (const [w, f] of ops) { if ((r -= w) < 0) return f(); }
    return ops[0][1]();
  };

  const samples = [sampleShim()];
  const every = Math.max(1000, Math.min(5000, (seconds * 1000) / 40));
  const end = Date.now() + seconds * 1000;
  const sampler = setInterval(() => samples.push(sampleShim()), every);
  await Promise.all(Array.from({ length: WORKERS }, async () => { while (Date.now() < end) await op(); }));
  clearInterval(sampler);
  samples.push(sampleShim());
  return samples;
}

function flatness(samples, field) {
  const v = samples.map((s) => s[field]);
  const q = Math.floor(v.length / 4);
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  const q2 = mean(v.slice(q, 2 * q));
  const q4 = mean(v.slice(v.length - q));
  return { first: v[0], last: v[v.length - 1], max: Math.max(...v), q2: Math.round(q2), q4: Math.round(q4) };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  log(`chaos ${SHORT ? '--short' : 'full'}: ${FAULT_SECONDS} s of faults (${ROUNDS} of each kind), soak ${SOAK_SECONDS} s, ${WORKERS} workers, ${USERS} users, commits slowed by ${SLOW_COMMIT_MS} ms`);
  setup();
  await launchShim();
  users = await Promise.all(Array.from({ length: USERS }, async (_, i) => ({
    name: `buyer${i + 1}`, token: await login(state.base, `buyer${i + 1}`, `chaos-password-${i + 1}`) })));
  log(`database ${DATABASE} ready, shim on ${state.base}`);

  // Phase 1: buyers under faults.
  let stopped = false;
  const workers = Array.from({ length: WORKERS }, async () => {
    while (!stopped) await (Math.random() < 0.15 ? cancel() : purchase());
  });
  await faultSchedule(FAULT_SECONDS, ROUNDS, () => false);
  stopped = true;
  await Promise.all(workers);
  log(`fault phase over: ${stats.faults.purchases} purchases`);
  await awaitRecovery();
  const afterFaults = verify('after faults');

  // Phase 2: soak.
  let soakReport = null;
  if (SOAK_SECONDS > 0) {
    phase = 'soak';
    log(`soak: ${SOAK_SECONDS} s of mixed traffic, shim pid ${state.shim.proc.pid}`);
    const samples = await soak(SOAK_SECONDS);
    const rss = flatness(samples, 'rssKb');
    const fds = flatness(samples, 'fds');
    const rssFlat = rss.q4 <= rss.q2 * 1.10;
    const fdsFlat = fds.q4 <= fds.q2 + 16 && fds.max <= 256;
    soakReport = { samples, rss, fds, rssFlat, fdsFlat };
    if (!rssFlat) violation('leak_rss', `VmRSS last-quarter mean ${rss.q4} kB > 110% of second-quarter mean ${rss.q2} kB`);
    if (!fdsFlat) violation('leak_fds', `open fds: last-quarter mean ${fds.q4}, second-quarter mean ${fds.q2}, max ${fds.max}`);
    const s = stats.soak;
    if (s.http5xx || s.network) violation('soak_errors', `${s.http5xx} 5xx and ${s.network} network errors without any fault`);
  }
  const final = SOAK_SECONDS > 0 ? verify('after soak') : afterFaults;

  // A clean stop: SIGTERM, exit 0.
  const shim = state.shim;
  state.expectedExit.add(shim);
  const stopT = Date.now();
  const { code, signal } = await shim.stop('SIGTERM');
  if (code !== 0 || Date.now() - stopT > PLATFORM_KILL_MS) violation('unclean_stop', `SIGTERM: code ${code} signal ${signal} after ${Date.now() - stopT} ms`);

  // The log: every purchase with every answer, and what the shims said on stderr.
  mkdirSync(opt['log-dir'], { recursive: true });
  const logFile = createWriteStream(path.join(opt['log-dir'], 'purchases.jsonl'));
  for (const rec of purchases) logFile.write(JSON.stringify(rec) + '\n');
  await new Promise((r) => logFile.end(r));
  writeFileSync(path.join(opt['log-dir'], 'shim-stderr.log'), state.stderr.join(''));
  if (soakReport) writeFileSync(path.join(opt['log-dir'], 'soak-samples.json'), JSON.stringify(soakReport.samples));

  // Summary.
  const line = (k, v) => console.log(`  ${k.padEnd(34)} ${v}`);
  const phaseSummary = (name, s) => {
    console.log(`${name}:`);
    line('requests sent (incl. retries)', s.requests);
    line('purchases (distinct keys)', s.purchases);
    line('acknowledged (201)', s.acknowledged);
    line('refused (409)', JSON.stringify(s.refused));
    line('cancels sent / acknowledged', `${s.cancels} / ${s.cancelled}`);
    line('failed with 5xx (attempts)', `${s.http5xx} (500: ${s.http500})`);
    line('network errors (attempts)', `${s.network} ${JSON.stringify(s.networkKinds)}`);
    line('retries', s.retries);
    line('gave up after retries', s.gaveUp);
    line('statuses', JSON.stringify(s.byStatus));
  };
  console.log('\n=== chaos summary');
  phaseSummary('fault phase', stats.faults);
  line('hot events sold out', `${Math.min(hotIndex, HOT_EVENTS)} of ${HOT_EVENTS} (${HOT_TICKETS} tickets each)`);
  line('faults injected', Object.entries(faults).map(([k, v]) => `${k} ${v.length}`).join(', '));
  line('fault durations ms (max)', Object.entries(faults).map(([k, v]) => `${k} ${v.length ? Math.max(...v) : '-'}`).join(', '));
  if (soakReport) {
    phaseSummary(`soak (${SOAK_SECONDS} s, ${soakReport.samples.length} samples)`, stats.soak);
    const { rss, fds } = soakReport;
    line('shim VmRSS kB first/last/max', `${rss.first}/${rss.last}/${rss.max}; Q2 mean ${rss.q2}, Q4 mean ${rss.q4}: ${soakReport.rssFlat ? 'flat' : 'GROWING'}`);
    line('shim open fds first/last/max', `${fds.first}/${fds.last}/${fds.max}; Q2 mean ${fds.q2}, Q4 mean ${fds.q4}: ${soakReport.fdsFlat ? 'bounded' : 'GROWING'}`);
  }
  console.log('database:');
  line('orders / idempotency keys', `${final.orders} / ${final.keys}`);
  line('orders cancelled', final.cancelled);
  line('committed, answer never seen', final.committedUnacknowledged);
  line('orders lost', final.ordersLost);
  line('double charges', final.doubleCharges);
  line('refused but committed', final.refusedButCommitted);
  line('invariant violations', final.invariantViolations);
  line('violations (all kinds)', violations.length);
  const kinds = {};
  for (const v of violations) kinds[v.kind] = (kinds[v.kind] ?? 0) + 1;
  if (violations.length) line('by kind', JSON.stringify(kinds));
  console.log(`logs: ${opt['log-dir']}`);
  console.log(violations.length ? 'chaos: FAILED' : 'chaos: ok');
  process.exitCode = violations.length ? 1 : 0;
}

main().catch((err) => {
  console.error('chaos: aborted:', err);
  if (state.shim) state.expectedExit.add(state.shim);
  try { state.shim?.proc.kill('SIGKILL'); } catch { /* gone */ }
  process.exitCode = 1;
});
