// A few concurrent logins stalled every request (issue 10, item 8): each hashes a password
// for a long time on a worker thread, and four of them held all four workers. Now one address
// has at most PASSWORD_REQUESTS_PER_ADDRESS (default 1) such requests in progress; the others
// wait their turn without holding a worker, and are all answered in the end.
//
// To make "in progress" last as long as the test needs, without depending on the machine's
// speed, the test holds a lock on the accounts table: every login waits on it in the database,
// holding its worker, until the test lets go.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { api, psql, startShim } from '../lib/harness.mjs';
import { setup, stopCleanly } from './helpers.mjs';

let ctx;
before(async () => {
  ctx = await setup('http_password_limit');
  const created = await api(ctx.base, 'POST', '/account', { body: { username: 'alice', password: 'alice-password' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  // Every worker thread has its database connection before the lock is taken.
  await Promise.all(Array.from({ length: 16 }, () => api(ctx.base, 'GET', '/events')));
});
after(async () => { await stopCleanly(ctx.shim); });

// POST /login from `localAddress`: resolves with the status and body.
function loginFrom(localAddress, username, password, port = ctx.shim.port) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ username, password });
    const req = request({ host: '127.0.0.1', port, localAddress, method: 'POST', path: '/login',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// GET on a new connection from 127.0.0.1: resolves with the status.
function getFresh(path) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: ctx.shim.port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}

// A psql session holding ACCESS EXCLUSIVE on accounts until release() is called.
async function lockAccounts(database) {
  const session = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', database], { stdio: ['pipe', 'pipe', 'inherit'] });
  session.stdin.write("BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n");
  await new Promise((resolve) => session.stdout.on('data', (d) => { if (String(d).includes('locked')) resolve(); }));
  const exited = new Promise((resolve) => session.once('exit', resolve));
  return { release: () => { session.stdin.end('COMMIT;\n'); return exited; } };
}

// The shim's calls of tm_login now in the database (waiting on the lock or running).
const loginsInDatabase = () => Number(psql(ctx.database, `SELECT count(*) FROM pg_stat_activity
  WHERE application_name = 'ticketmonster-web' AND query LIKE '%tm_login%' AND state = 'active'`));

test('8 concurrent logins from one address take one worker; the others keep serving', { timeout: 300000 }, async () => {
  const lock = await lockAccounts(ctx.database);
  let logins;
  try {
    logins = Array.from({ length: 8 }, () => loginFrom('127.0.0.2', 'alice', 'alice-password'));
    // Wait until the first login is stuck in the database.
    while (loginsInDatabase() < 1) await new Promise((r) => setTimeout(r, 20));
    // Other requests are served meanwhile (before the fix every worker was stuck and these
    // waited for the lock), and the address still has just one login in the database.
    // (On new connections: a connection already owned by the busy worker waits for it, the
    // thread-pool design that the shim-architecture issue replaces.)
    for (let i = 0; i < 8; i++) {
      assert.equal(await getFresh('/events'), 200);
      assert.equal(await getFresh('/healthz'), 200);
    }
    assert.equal(loginsInDatabase(), 1, 'more than one login of the address reached the database');
  } finally {
    await lock.release();
  }
  // The waiting ones were queued, not refused: every login succeeds, one after the other.
  const results = await Promise.all(logins);
  for (const res of results) assert.equal(res.status, 200, JSON.stringify(res.body));
});

test('another address logs in while one address has logins waiting', { timeout: 300000 }, async () => {
  const lock = await lockAccounts(ctx.database);
  let first;
  let second;
  try {
    first = Array.from({ length: 4 }, () => loginFrom('127.0.0.2', 'alice', 'alice-password'));
    while (loginsInDatabase() < 1) await new Promise((r) => setTimeout(r, 20));
    second = loginFrom('127.0.0.3', 'alice', 'alice-password');
    // 127.0.0.3 is not queued behind 127.0.0.2: its login reaches the database too.
    while (loginsInDatabase() < 2) await new Promise((r) => setTimeout(r, 20));
    assert.equal(loginsInDatabase(), 2);
  } finally {
    await lock.release();
  }
  for (const res of [...await Promise.all(first), await second]) assert.equal(res.status, 200, JSON.stringify(res.body));
});

// Stopping with logins still waiting for their address's turn after the grace period: MHD
// cannot stop with suspended connections (it aborted the process). They are answered 503
// and the process exits 0. Whichever part of the process answers each of them, the 503 is
// the same (reply_shutting_down), Retry-After included.
test('SIGTERM with logins waiting for their turn: answered 503, clean exit', { timeout: 300000 }, async () => {
  const stopping = await startShim(ctx.database);
  const lock = await lockAccounts(ctx.database);
  let stopped;
  try {
    const logins = Array.from({ length: 3 }, () => loginFrom('127.0.0.2', 'alice', 'alice-password', stopping.port));
    while (loginsInDatabase() < 1) await new Promise((r) => setTimeout(r, 20));
    // The first login holds the address's turn, stuck on the lock; the others wait for it.
    stopped = stopCleanly(stopping);
    for (const res of await Promise.all(logins)) {
      assert.equal(res.status, 503, JSON.stringify(res.body));
      assert.equal(res.body.code, 'unavailable');
      assert.equal(res.headers['retry-after'], '1', 'every shutdown 503 asks for the same retry');
    }
  } finally {
    await lock.release();
  }
  await stopped;
});
