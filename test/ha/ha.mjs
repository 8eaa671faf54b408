// The failover test of `make ha-test` (test/ha/run makes the cluster with tools/ha-cluster).
//
// Buyers keep purchasing through two shims whose DATABASE_URL names the three data nodes
// (target_session_attrs=read-write) and whose READ_DATABASE_URL prefers a standby; each
// purchase has its own Idempotency-Key and is retried with it after a 5xx, a network error or
// a timeout, as a real client does. Meanwhile, each step waiting for the previous one's effect
// (never for a fixed time):
//   1. SIGKILL of the primary (its keeper and its postgres: the machine is gone);
//   2. the monitor promotes a standby; purchases succeed again through the same shims;
//   3. SIGKILL of the other standby: the primary is alone, and writes wait for a synchronous
//      standby (wait event SyncRep) instead of being acknowledged by the primary alone;
//   4. the old primary restarts and rejoins as a standby: writes go on;
//   5. the killed standby restarts: one primary, two standbys again.
// Then: every acknowledged order is on the primary as acknowledged, no order without its key
// or under two keys, balances and stock add up (test/stress/invariants.sql). Prints
//   ha: acknowledged=N lost=0 double_charged=0 unavailable_s=X
// where unavailable_s is the longest time in which no purchase succeeded.
import { execFile as execFileCb } from 'node:child_process';
import { promisify, parseArgs } from 'node:util';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startShim, login, ROOT, SECRET_KEY } from '../lib/harness.mjs';

const execFile = promisify(execFileCb);
const { values: opt } = parseArgs({ options: {
  cluster: { type: 'string' },
  workers: { type: 'string', default: '24' },
  users: { type: 'string', default: '48' },
  'web-concurrency': { type: 'string', default: '8' },
} });
if (!opt.cluster) {
  console.error('ha: run me through test/ha/run, which makes the cluster');
  process.exit(2);
}
const CLUSTER = path.resolve(ROOT, opt.cluster);
const WORKERS = Number(opt.workers);
const USERS = Number(opt.users);
const EVENTS = 20;
const INITIAL_MONEY = 10000000;
const REQUEST_TIMEOUT_MS = 30000;
const STEP_TIMEOUT_MS = 120000;     // a step that takes longer than this has failed
const PER_PHASE_ACKS = 150;         // purchases acknowledged between two faults
const T0 = Date.now();
const now = () => Date.now() - T0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rand = (n) => Math.floor(Math.random() * n);
const pick = (a) => a[rand(a.length)];
const log = (...a) => console.log(`[${(now() / 1000).toFixed(1)}s]`, ...a);

const violations = [];
function violation(kind, detail) {
  violations.push({ kind, detail });
  if (violations.length <= 30) log(`VIOLATION ${kind}: ${detail}`);
}

// ---------------------------------------------------------------------------------------------
// The cluster.

const haCluster = async (...args) =>
  (await execFile(path.join(ROOT, 'tools/ha-cluster'), [args[0], CLUSTER, ...args.slice(1)],
    { encoding: 'utf8' })).stdout.trim();
const NODES_URL = (await haCluster('url')).replace('postgresql://', '');
const [HOSTS, DATABASE] = NODES_URL.split('/');
const url = (role, attrs) => `postgresql://${role}@${HOSTS}/${DATABASE}?target_session_attrs=${attrs}&connect_timeout=2`;
const PRIMARY_URL = url('postgres', 'read-write');
const MONITOR_URL = `postgresql://autoctl_node@127.0.0.1:${readFileSync(path.join(CLUSTER, 'port'), 'utf8').trim()}/pg_auto_failover`;

const psql = async (sql, target = PRIMARY_URL) => (await execFile('psql',
  ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', target, '-c', sql],
  { encoding: 'utf8', maxBuffer: 1 << 30 })).stdout.trim();
const nodeUrl = async (name) => {
  const port = Number(readFileSync(path.join(CLUSTER, 'port'), 'utf8')) + Number(name.slice(4));
  return `postgresql://postgres@127.0.0.1:${port}/${DATABASE}?connect_timeout=2`;
};

async function until(what, check, timeoutMs = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------
// Setup: the extension, the web role, buyers with money, events with stock.

async function setup() {
  await psql(`
    SET client_min_messages = warning;
    CREATE EXTENSION ticketmonster;
    DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tm_app') THEN CREATE ROLE tm_app LOGIN; END IF;
    END $$;
    GRANT ticketmonster_web TO tm_app;
    ALTER DATABASE ${DATABASE} SET ticketmonster.password_cost = 1;
    ALTER DATABASE ${DATABASE} SET ticketmonster.signups_per_hour = 0;
    SELECT tm_signing_key_set('${SECRET_KEY}');
    SET ticketmonster.password_cost = 1;
    SELECT count(tm_account_create(jsonb_build_object('username', 'buyer' || i,
                                                      'password', 'ha-password-' || i)))
    FROM generate_series(1, ${USERS}) i;
    UPDATE accounts SET available_money = ${INITIAL_MONEY};
    SELECT count(tm_event_create(NULL, jsonb_build_object('name', 'HA Gig ' || i, 'place', 'Arena',
        'city', 'Lisboa', 'date', date '2030-01-01' + i, 'price', 1 + i % 9,
        'total_available_tickets', 1000000)))
    FROM generate_series(1, ${EVENTS}) i;
    CREATE TABLE stress_budget AS SELECT username, available_money AS initial FROM accounts;
    CREATE TABLE stress_stock AS SELECT id, price, tickets_left AS initial FROM events;
    -- nobody cancels here: the refunds invariants.sql compares are the cancelled orders' value
    CREATE VIEW stress_refunds AS
        SELECT id AS order_id, tickets_bought::bigint * price AS amount FROM orders WHERE status = 'cancelled';`);
  return (await psql('SELECT id FROM events ORDER BY id')).split('\n').map(Number);
}

// ---------------------------------------------------------------------------------------------
// Clients.

const shims = [];
const stats = { requests: 0, byStatus: {}, network: 0, retries: 0, gaveUp: 0, http500: 0,
  reads: 0, readFailures: 0 };
const purchases = [];
const acks = [];          // [sentAt, ackAt] of every acknowledged purchase attempt
let keySeq = 0;

async function http(method, urlPath, { token, body, key } = {}) {
  stats.requests++;
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (key) headers['Idempotency-Key'] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  try {
    const res = await fetch(pick(shims).base + urlPath, { method, headers,
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await res.text();
    let parsed = text;
    try { parsed = JSON.parse(text); } catch { /* not JSON */ }
    stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
    if (res.status === 500) {
      stats.http500++;
      violation('http_500', `${method} ${urlPath}: ${text.slice(0, 200)}`);
    }
    return { status: res.status, body: parsed };
  } catch (err) {
    stats.network++;
    return { status: 0, error: `${err.cause?.code ?? err.name}: ${err.cause?.message ?? err.message}` };
  }
}

const linesOf = (body) => (body.orders ?? [body]).map((l) => [l.event_id, l.tickets_bought]);
const ordersOf = (b) => b?.orders ?? (b?.order ? [b.order] : null);

async function purchase(user, eventIds, isStopping) {
  const line = (id) => ({ event_id: id, tickets_bought: 1 + rand(3) });
  const body = Math.random() < 0.7 ? line(pick(eventIds))
    : { orders: [...new Set([pick(eventIds), pick(eventIds), pick(eventIds)])].map(line) };
  const rec = { key: `ha-${T0.toString(36)}-${++keySeq}`, user: user.name, body, outcome: null, ids: null, attempts: [] };
  purchases.push(rec);
  for (let attempt = 0; ; attempt++) {
    const sentAt = now();
    const res = await http('POST', `/orders/${user.name}`, { token: user.token, body, key: rec.key });
    rec.attempts.push({ sentAt, at: now(), status: res.status, code: res.body?.code, error: res.error });
    if (res.status === 201) {
      const ids = (ordersOf(res.body) ?? []).map((o) => o.id);
      const got = JSON.stringify((ordersOf(res.body) ?? []).map((o) => [o.event_id, o.tickets_bought]));
      if (got !== JSON.stringify(linesOf(body))) violation('wrong_response', `key ${rec.key}: asked ${JSON.stringify(linesOf(body))}, answered ${got}`);
      if (rec.ids && JSON.stringify(rec.ids) !== JSON.stringify(ids)) violation('double_charge', `key ${rec.key}: acknowledged as ${rec.ids} and as ${ids}`);
      rec.ids = ids;
      rec.outcome = 'ack';
      acks.push([sentAt, now()]);
      return;
    }
    if (res.status === 0 || res.status >= 500) {
      // retried with the same key until the run ends; then the outcome stays unknown
      if (isStopping() && attempt >= 3) {
        rec.outcome = 'gave_up';
        stats.gaveUp++;
        return;
      }
      stats.retries++;
      await sleep(Math.min(1000, 50 * 2 ** attempt) * (0.5 + Math.random()));
      continue;
    }
    rec.outcome = 'refused';
    violation('unexpected_status', `key ${rec.key}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    return;
  }
}

// ---------------------------------------------------------------------------------------------
// Verification on the primary, against what the clients were told (as test/chaos does).

async function verify() {
  const r = { lost: 0, doubleCharged: 0, orders: 0, committedUnacknowledged: 0 };
  const dbOrders = new Map();
  for (const [id, username, eventId, tickets] of JSON.parse(await psql(
    `SELECT coalesce(json_agg(json_build_array(id, username, event_id, tickets_bought)), '[]') FROM orders`))) {
    dbOrders.set(id, { username, eventId, tickets });
  }
  const dbKeys = new Map();
  for (const [username, key, ids] of JSON.parse(await psql(
    `SELECT coalesce(json_agg(json_build_array(username, key, CASE WHEN response <> 'null' THEN
       jsonb_path_query_array(response, '$.order.id') || jsonb_path_query_array(response, '$.orders[*].id')
     END)), '[]') FROM idempotency_keys`))) {
    dbKeys.set(`${username}/${key}`, ids);
  }
  r.orders = dbOrders.size;

  for (const rec of purchases) {
    if (rec.outcome !== 'ack') continue;
    const lines = linesOf(rec.body);
    rec.ids.forEach((id, i) => {
      const o = dbOrders.get(id);
      if (!o || o.username !== rec.user || o.eventId !== lines[i][0] || o.tickets !== lines[i][1]) {
        r.lost++;
        violation('order_lost', `order ${id} (key ${rec.key}) acknowledged but ${o ? `is ${JSON.stringify(o)}` : 'not on the primary'}; attempts ${JSON.stringify(rec.attempts)}`);
      }
    });
    if (JSON.stringify(dbKeys.get(`${rec.user}/${rec.key}`)) !== JSON.stringify(rec.ids)) {
      r.lost++;
      violation('key_lost', `key ${rec.key}: acknowledged ${rec.ids}, stored ${JSON.stringify(dbKeys.get(`${rec.user}/${rec.key}`))}`);
    }
  }
  const owner = new Map();
  for (const [k, ids] of dbKeys) {
    for (const id of ids ?? []) {
      if (owner.has(id)) { r.doubleCharged++; violation('double_charge', `order ${id} under keys ${owner.get(id)} and ${k}`); }
      owner.set(id, k);
    }
  }
  for (const id of dbOrders.keys()) {
    if (!owner.has(id)) { r.doubleCharged++; violation('double_charge', `order ${id} belongs to no key`); }
  }
  const byKey = new Map(purchases.map((p) => [`${p.user}/${p.key}`, p]));
  for (const [k, ids] of dbKeys) {
    const rec = byKey.get(k);
    if (!rec) violation('unknown_key', `key ${k} was never sent`);
    else if (rec.outcome === 'gave_up' && ids?.length) r.committedUnacknowledged++;
    else if (rec.outcome === 'refused' && ids?.length) violation('refused_but_committed', `key ${k}`);
  }
  const out = await psql(readFileSync(path.join(ROOT, 'test/stress/invariants.sql'), 'utf8'));
  for (const l of out.split('\n').filter(Boolean)) violation('invariant', l);
  return r;
}

// After a failure: what each node's keeper and PostgreSQL said last, the monitor's last
// events and the first violations, kept short (CI shows only the end of the output; the
// whole logs are in .tmp/ha-test-log).
async function explainFailure() {
  const tail = (file, n, keep = () => true) => {
    try {
      return readFileSync(file, 'utf8').split('\n').filter((l) => l && keep(l)).slice(-n);
    } catch { return []; }
  };
  const cut = (l) => (l.length > 200 ? `${l.slice(0, 200)}...` : l);
  console.log('\n=== why');
  for (const node of ['node1', 'node2', 'node3']) {
    const pgLogDir = path.join(CLUSTER, node, 'log');
    let pgLog = [];
    try {
      const newest = readdirSync(pgLogDir).filter((f) => f.endsWith('.log')).sort().pop();
      if (newest) pgLog = tail(path.join(pgLogDir, newest), 2, (l) => /(LOG|FATAL|PANIC|ERROR):/.test(l));
    } catch { /* no log yet */ }
    for (const l of [...tail(path.join(CLUSTER, 'log', `${node}.log`), 2), ...pgLog]) console.log(`${node}: ${cut(l)}`);
  }
  const events = await psql(`SELECT string_agg(to_char(eventtime, 'HH24:MI:SS') || ' ' || left(description, 160), E'\n' ORDER BY eventid)
      FROM (SELECT * FROM pgautofailover.event ORDER BY eventid DESC LIMIT 3) e`,
    MONITOR_URL).catch((e) => e.message);
  for (const l of events.split('\n')) console.log(`monitor: ${cut(l)}`);
  for (const v of violations.slice(0, 2)) console.log(`violation ${v.kind}: ${cut(v.detail)}`);
}

// The longest time without an acknowledged purchase, between the first and the last.
function longestGap(from = 0, to = Infinity) {
  const times = acks.map(([, at]) => at).filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  return gap;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const eventIds = await setup();
  const env = { DATABASE_URL: url('tm_app', 'read-write'), READ_DATABASE_URL: url('tm_app', 'prefer-standby'),
    WEB_CONCURRENCY: opt['web-concurrency'], TOKEN_TTL: '86400' };
  for (let i = 0; i < 2; i++) {
    const shim = await startShim(DATABASE, { env });
    shim.proc.stdout.on('data', () => {});
    shims.push(shim);
  }
  const users = await Promise.all(Array.from({ length: USERS }, async (_, i) => ({
    name: `buyer${i + 1}`, token: await login(shims[i % 2].base, `buyer${i + 1}`, `ha-password-${i + 1}`) })));
  log(`setup done: ${USERS} buyers, ${EVENTS} events, shims on ${shims.map((s) => s.base).join(' ')}`);

  let stopping = false;
  const buyers = Array.from({ length: WORKERS }, async () => {
    while (!stopping) await purchase(pick(users), eventIds, () => stopping);
  });
  const readers = Array.from({ length: 2 }, async () => {
    while (!stopping) {
      const res = await http('GET', '/events');
      stats.reads++;
      if (res.status !== 200) { stats.readFailures++; await sleep(100); }
    }
  });
  const acksSince = (t) => acks.filter(([, at]) => at >= t).length;
  // the first purchase sent after t and acknowledged: the database took writes again
  const firstAckSentAfter = (t) => Math.min(...acks.filter(([sent]) => sent >= t).map(([, at]) => at));
  const marks = {};

  try {
    await until('the first purchases', () => acks.length >= PER_PHASE_ACKS);
    const oldPrimary = await haCluster('primary');

    // 1-2. The primary dies; a standby is promoted; purchases succeed again.
    marks.killPrimary = now();
    await haCluster('kill', oldPrimary);
    log(`1. SIGKILL ${oldPrimary} (primary)`);
    const newPrimary = await until('a new primary', async () => {
      const p = await haCluster('primary');
      return p && p !== oldPrimary ? p : null;
    });
    // (a purchase sent just after the kill may still be acknowledged by the dying primary's
    // backends and standbys: only one sent after the promotion shows the new primary works)
    marks.promoted = now();
    await until('purchases after the failover', () => acks.some(([sent]) => sent >= marks.promoted));
    marks.failedOver = firstAckSentAfter(marks.promoted);
    log(`2. ${newPrimary} promoted; purchases go on`);
    await until('more purchases', () => acksSince(marks.failedOver) >= PER_PHASE_ACKS);
    // pg_auto_failover keeps a promoted node in wait_primary, committing without a synchronous
    // standby, until one has caught up with it (docs/ha.md): the next fault waits for that.
    const promotedUrl = await nodeUrl(newPrimary);
    await until('a synchronous standby of the new primary', async () =>
      (await psql(`SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'
                   AND sync_state IN ('sync', 'quorum')`, promotedUrl)) !== '0' &&
      (await psql('SHOW synchronous_standby_names', promotedUrl)) !== '');
    log(`   ${newPrimary} has a synchronous standby again`);

    // 3. The last standby dies: the primary must not acknowledge anything alone.
    const standby = ['node1', 'node2', 'node3'].find((n) => n !== oldPrimary && n !== newPrimary);
    marks.killStandby = now();
    await haCluster('kill', standby);
    log(`3. SIGKILL ${standby} (the remaining standby)`);
    const primaryUrl = await nodeUrl(newPrimary);
    await until('the primary without standbys', async () =>
      (await psql(`SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'`, primaryUrl)) === '0');
    marks.alone = now();
    const waiting = await until('purchases waiting for a synchronous standby', async () => {
      const n = Number(await psql(`SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'`, primaryUrl));
      return n > 0 ? n : null;
    });
    const syncNames = await psql('SHOW synchronous_standby_names', primaryUrl);
    log(`   ${newPrimary} alone: ${waiting} purchases wait for a synchronous standby (synchronous_standby_names = ${syncNames})`);

    // 4. The old primary comes back, as a standby of the new one: writes go on.
    marks.restartOld = now();
    await haCluster('start', oldPrimary);
    log(`4. ${oldPrimary} restarted`);
    await until('purchases after the old primary rejoined', () => acksSince(marks.restartOld) >= 1);
    const aloneAcks = acks.filter(([sent, at]) => sent >= marks.alone && at < marks.restartOld).length;
    if (aloneAcks) violation('acknowledged_alone', `${aloneAcks} purchases sent while ${newPrimary} had no standby were acknowledged before one came back`);
    marks.resumed = acks.filter(([, at]) => at >= marks.restartOld).map(([, at]) => at).sort((a, b) => a - b)[0];
    log(`   writes resumed ${((marks.resumed - marks.restartOld) / 1000).toFixed(1)} s after the restart`);

    // 5. The killed standby comes back too: a whole cluster again, with the old primary as a standby.
    await haCluster('start', standby);
    await haCluster('wait', '120');
    const states = await psql(`SELECT string_agg(nodename || '=' || reportedstate, ' ' ORDER BY nodename) FROM pgautofailover.node`,
      MONITOR_URL);
    log(`5. ${standby} restarted: ${states}`);
    if (!states.includes(`${oldPrimary}=secondary`)) violation('old_primary', `${oldPrimary} is not a standby: ${states}`);
    const more = acks.length;
    await until('purchases on the whole cluster', () => acks.length >= more + PER_PHASE_ACKS);
  } catch (err) {
    violation('step_failed', err.message);
    console.log(await haCluster('state').catch((e) => e.message));
  }
  marks.end = now();
  stopping = true;
  await Promise.all([...buyers, ...readers]);
  log(`load stopped: ${purchases.length} purchases, ${acks.length} acknowledged`);

  const result = await verify();
  for (const shim of shims) {
    const { code, signal } = await shim.stop('SIGTERM');
    if (code !== 0) violation('shim_exit', `code ${code} signal ${signal}: ${shim.output().slice(-500)}`);
  }

  const unavailable = longestGap() / 1000;
  const line = (k, v) => console.log(`  ${k.padEnd(36)} ${v}`);
  console.log('\n=== ha summary');
  line('requests (incl. retries)', stats.requests);
  line('statuses', JSON.stringify(stats.byStatus));
  line('network errors / timeouts', stats.network);
  line('retries', stats.retries);
  line('purchases / acknowledged', `${purchases.length} / ${acks.length}`);
  line('given up at the end (outcome unknown)', `${stats.gaveUp} (committed: ${result.committedUnacknowledged})`);
  line('public reads / failed', `${stats.reads} / ${stats.readFailures}`);
  const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
  if (marks.killStandby) line('no purchase, primary killed', s(longestGap(marks.killPrimary - 2000, marks.killStandby)));
  if (marks.resumed) line('no purchase, primary left alone', s(longestGap(marks.killStandby - 2000, marks.end)));
  if (marks.resumed) line('old primary restarted -> purchase', s(marks.resumed - marks.restartOld));
  line('orders on the primary', result.orders);
  line('violations', violations.length);
  if (violations.length) await explainFailure();
  console.log(`ha: acknowledged=${acks.length} lost=${result.lost} double_charged=${result.doubleCharged} unavailable_s=${unavailable.toFixed(1)}`);
  console.log(violations.length ? 'ha-test: FAILED' : 'ha-test: ok');
  process.exitCode = violations.length ? 1 : 0;
}

main().catch((err) => {
  console.error('ha: aborted:', err);
  for (const shim of shims) shim.proc.kill('SIGKILL');
  process.exitCode = 1;
});
