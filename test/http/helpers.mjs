// What the HTTP tests share beyond test/lib/harness.mjs: raw requests (fetch normalises
// paths, and these tests must send "/static/../x" as it is), a shutdown check that
// also catches sanitizer reports when the shim is the ASan build (TM_SHIM), and stalls:
// a table lock held by a superuser while requests pile up behind it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { startShim, freshDatabase, psql } from '../lib/harness.mjs';

// The answer read from a connection the server closed: { status, head (its header lines as
// sent), headers (lowercase names; the last of repeated ones), body (latin1 text: its bytes) }.
export function parseAnswer(chunks) {
  const text = Buffer.concat(chunks).toString('latin1');
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()];
  }));
  return { status: Number(statusLine.split(' ')[1]), head: lines, headers, body: rest.join('\r\n\r\n') };
}

// Sends `request` verbatim, then ends its side, and resolves with the answer (parseAnswer).
export function rawRequest(port, request) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    const chunks = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseAnswer(chunks)));
  });
}

export const rawGet = (port, target, extra = '') =>
  rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${extra}\r\n`);

// SIGTERM, then: exit code 0 and no sanitizer report in the output, before the platform's
// SIGKILL (Heroku sends it 30 s after SIGTERM). The shim itself gives requests in flight 8 s;
// this bound is the contract, not a speed target, so a slow machine meets it too.
export const PLATFORM_KILL_MS = 30000;
export async function stopCleanly(shim, { withinMs = PLATFORM_KILL_MS } = {}) {
  const started = Date.now();
  const { code, signal } = await shim.stop('SIGTERM');
  const output = shim.output();
  assert.doesNotMatch(output, /(AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer)/,
    'sanitizer report:\n' + output);
  assert.equal(signal, null, output);
  assert.equal(code, 0, output);
  assert.ok(Date.now() - started < withinMs, `took ${Date.now() - started} ms to stop`);
}

// A fresh database and a shim on it, for one test file.
export async function setup(name, options = {}) {
  const database = freshDatabase(name);
  const shim = await startShim(database, options);
  return { database, shim, base: shim.base };
}

// A user account made through the console (no HTTP round trip), with its token.
export function consoleSql(database, sql) {
  return psql(database, sql);
}

export function basic(token, password = '') {
  return 'Basic ' + Buffer.from(`${token}:${password}`).toString('base64');
}

// Generous: a stall is released by the test, never by a timer; this only ends a test that hangs.
export const HANG_MS = 120000;

// A superuser session holding an ACCESS EXCLUSIVE lock on `table` until release().
export async function holdLock(database, table) {
  const proc = spawn('psql', ['-X', '-q', '-A', '-t', '-d', database], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stdin.write(`BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n`);
  const started = Date.now();
  while (!out.includes('locked')) {
    assert.ok(Date.now() - started < HANG_MS, 'the lock was never taken');
    await new Promise((r) => setTimeout(r, 20));
  }
  const exited = new Promise((r) => proc.once('exit', r));
  return {
    async release() {
      if (!proc.stdin.writableEnded) proc.stdin.end('COMMIT;\n');
      await exited;
    },
  };
}

// How many of the shim's backends wait for a lock now.
export function blockedCalls(database) {
  return Number(psql(database, `SELECT count(*) FROM pg_stat_activity WHERE datname = '${database}'
    AND application_name = 'ticketmonster-web' AND wait_event_type = 'Lock'`));
}

// Until `count` of the shim's backends wait for a lock.
export async function waitForBlocked(database, count) {
  const started = Date.now();
  for (;;) {
    if (blockedCalls(database) >= count) return;
    assert.ok(Date.now() - started < HANG_MS, `never ${count} calls waiting for the lock`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// An HTTP/1.1 request as text, for requestsRead: a JSON body, a bearer token, and
// "Connection: close", so that the server's closing the connection ends the answer.
export function httpRequest(method, target, { token, body, headers = {} } = {}) {
  const payload = body === undefined ? '' : JSON.stringify(body);
  const all = { Host: 'x', Connection: 'close', 'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload), ...headers };
  if (token) all.Authorization = `Bearer ${token}`;
  const lines = Object.entries(all).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return `${method} ${target} HTTP/1.1\r\n${lines}\r\n${payload}`;
}

// Sends each request on a connection of its own and resolves once the server has read every
// byte of them, so that they have reached the server's code: each was written whole to the
// kernel (on loopback it is then in the server's receive queue), and no receive queue of
// the server's end of those connections (/proc/net/tcp) holds anything. Resolves with one
// promise per request of its answer, { status, headers, body } with a JSON body parsed.
export async function requestsRead(port, requests) {
  const connections = requests.map((request) => {
    const socket = connect(port, '127.0.0.1');
    const written = new Promise((resolve, reject) => {
      socket.once('connect', () => socket.write(request, () => resolve(socket.localPort)));
      socket.once('error', reject);
    });
    const answer = new Promise((resolve, reject) => {
      const chunks = [];
      socket.on('data', (d) => chunks.push(d));
      socket.on('error', reject);
      socket.on('close', () => {
        const res = parseAnswer(chunks);
        try { res.body = JSON.parse(res.body); } catch { /* not JSON */ }
        resolve(res);
      });
    });
    return { written, answer };
  });
  const clientPorts = new Set(await Promise.all(connections.map((c) => c.written)));
  const started = Date.now();
  for (;;) {
    // fields: sl, local address:port, remote address:port, state, tx_queue:rx_queue, ...
    const unread = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => readFileSync(file, 'utf8')
      .split('\n').slice(1).map((line) => line.trim().split(/\s+/)))
      .filter((f) => f.length > 4 && parseInt(f[1].split(':').at(-1), 16) === port
        && clientPorts.has(parseInt(f[2].split(':').at(-1), 16))
        && parseInt(f[4].split(':')[1], 16) > 0);
    if (unread.length === 0) return connections.map((c) => c.answer);
    assert.ok(Date.now() - started < HANG_MS, `the server never read ${requests.length} requests`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
