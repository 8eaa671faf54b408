// The web process's smaller findings of the audit (issue 10), each attack replayed:
// ambiguous framing (item 12), response headers for the page and the API (item 13), forged
// log lines (item 15) and passwords in URLs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { api, psql } from '../lib/harness.mjs';
import { setup, stopCleanly } from './helpers.mjs';

let ctx;
before(async () => {
  // A head deadline far away, so that only the framing checks can close a connection here.
  ctx = await setup('http_hardening', { env: { HEAD_TIMEOUT: '300' } });
  const created = await api(ctx.base, 'POST', '/account', { body: { username: 'alice', password: 'alice-password' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
});
after(async () => { await stopCleanly(ctx.shim); });

// Writes `bytes` on a connection it keeps open, and resolves with everything the server sent
// once the server closes it; "(left open)" is appended if the server has not closed it after
// 60 s (a bound for a server that never will, not a speed target).
function sendAndAwaitClose(port, bytes) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks = [];
    const text = () => Buffer.concat(chunks).toString('latin1');
    const timer = setTimeout(() => { socket.destroy(); resolve(text() + '(left open)'); }, 60000);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => { clearTimeout(timer); resolve(text()); });
  });
}

// Every status line, also one glued to the end of the previous body.
const statusLines = (text) => text.match(/HTTP\/1\.1 \d{3} /g) ?? [];

// A request smuggled behind the ambiguous one: if the server framed the first request by the
// first Content-Length (or by chunked encoding), this one would be answered too.
const SMUGGLED = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';

test('two Content-Length headers: 400, connection closed, nothing after it answered', async () => {
  const body = '{"username":"alice","password":"alice-password"}';
  const text = await sendAndAwaitClose(ctx.shim.port,
    'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    `Content-Length: ${body.length}\r\nContent-Length: 5\r\n\r\n${body}${SMUGGLED}`);
  assert.deepEqual(statusLines(text).map((l) => l.split(' ')[1]), ['400'], text);
  assert.match(text, /\r\nConnection: close\r\n/i);
  assert.match(text, /"code":"bad_request"/);
  assert.doesNotMatch(text, /\(left open\)$/);
});

test('two equal Content-Length headers are refused all the same', async () => {
  const text = await sendAndAwaitClose(ctx.shim.port,
    'POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}' + SMUGGLED);
  assert.deepEqual(statusLines(text).map((l) => l.split(' ')[1]), ['400'], text);
});

test('Content-Length with Transfer-Encoding: 400, connection closed, nothing after it answered', async () => {
  const text = await sendAndAwaitClose(ctx.shim.port,
    'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n' +
    'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n' + SMUGGLED);
  assert.deepEqual(statusLines(text).map((l) => l.split(' ')[1]), ['400'], text);
  assert.match(text, /\r\nConnection: close\r\n/i);
  assert.doesNotMatch(text, /\(left open\)$/);
});

test('one Content-Length, or chunked alone, is served as always', async () => {
  const body = '{"username":"alice","password":"alice-password"}';
  const plain = await sendAndAwaitClose(ctx.shim.port,
    'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n' +
    `Content-Length: ${body.length}\r\n\r\n${body}`);
  assert.deepEqual(statusLines(plain).map((l) => l.split(' ')[1]), ['200'], plain);
  const chunked = await sendAndAwaitClose(ctx.shim.port,
    'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n' +
    `Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
  assert.deepEqual(statusLines(chunked).map((l) => l.split(' ')[1]), ['200'], chunked);
});

test('the page: strict CSP without inline script, no framing, no referrer, nosniff', async () => {
  const res = await fetch(`${ctx.base}/`);
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy');
  assert.ok(csp, 'no Content-Security-Policy');
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(directives['default-src'], ["'self'"]);
  assert.deepEqual(directives['script-src'], ["'self'"]);
  assert.deepEqual(directives['frame-ancestors'], ["'none'"]);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const html = await res.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'the page has an inline script');
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'the page has an inline event handler');
  assert.doesNotMatch(html, /\sstyle=/i, 'the page has a style attribute');
});

test('JSON answers, errors and files carry nosniff (and the same CSP)', async () => {
  for (const [method, path] of [['GET', '/events'], ['GET', '/no/such/route'], ['POST', '/login'],
    ['GET', '/static/favicon.svg']]) {
    const res = await fetch(ctx.base + path, { method, headers: { Accept: 'application/json' } });
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${method} ${path}`);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, `${method} ${path}`);
  }
});

test('a password in the query string is 400, even with the right one in the body', async () => {
  const login = await api(ctx.base, 'POST', '/login?password=alice-password',
    { body: { username: 'alice', password: 'alice-password' } });
  assert.equal(login.status, 400, JSON.stringify(login.body));
  assert.equal(login.body.code, 'invalid_input');
  assert.equal(login.body.token, undefined);
  const form = await api(ctx.base, 'POST', '/login?username=alice&password=alice-password');
  assert.equal(form.status, 400);
  const signup = await api(ctx.base, 'POST', '/account?username=bob&Password=bob-password');
  assert.equal(signup.status, 400);
  assert.equal(psql(ctx.database, "SELECT count(*) FROM accounts WHERE username = 'bob'"), '0', 'the account was made anyway');
  assert.equal((await api(ctx.base, 'GET', '/events?new_password=x')).status, 400);
  // Other query fields are fine.
  assert.equal((await api(ctx.base, 'GET', '/events?when=all')).status, 200);
});

test('control characters and separators in the method and path are escaped in the log', async () => {
  // Raw: fetch would refuse to send these. "X\rPOST" hid the real method in a terminal.
  await sendAndAwaitClose(ctx.shim.port, 'X\x1b[2KPOST /forged%0A200%20GET%20/x%1b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await sendAndAwaitClose(ctx.shim.port, 'GET /a%0D%0AGET%20/admin%20200\\"%C3%A9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  // The log line is written once the request completes, just after the answer.
  await ctx.shim.waitForOutput(/x1b\[2KPOST/);
  await ctx.shim.waitForOutput(/admin/);
  const log = ctx.shim.output();
  const lines = log.split('\n');
  const forged = lines.filter((l) => l.includes('/forged'));
  assert.deepEqual(forged, [String.raw`X\x1b[2KPOST /forged\x0a200\x20GET\x20/x\x1b 404 ` + forged[0]?.split(' ').pop()], log);
  const crlf = lines.filter((l) => l.includes('/admin'));
  assert.equal(crlf.length, 1, log);
  assert.match(crlf[0], /^GET \/a\\x0d\\x0aGET\\x20\/admin\\x20200\\x5c\\x22\\xc3\\xa9 \d{3} [\d.]+ms$/);
  assert.doesNotMatch(log, /\x1b/, 'a raw escape character reached the log');
  assert.ok(!lines.some((l) => l.startsWith('GET /admin')), 'a forged line');
});

test('the cluster trusts no local user: without the password, socket and TCP are refused', async () => {
  // tools/pg-cluster made this cluster; before, any local user could connect as the superuser.
  const { spawnSync } = await import('node:child_process');
  const env = { ...process.env, PGPASSFILE: '/dev/null' };
  delete env.PGPASSWORD;
  for (const host of [process.env.PGHOST, '127.0.0.1']) {
    for (const user of ['postgres', 'tm_app']) {
      const res = spawnSync('psql', ['-X', '-w', '-h', host, '-U', user, '-d', ctx.database, '-c', 'SELECT 1'],
        { env, encoding: 'utf8' });
      assert.notEqual(res.status, 0, `${user} connected through ${host} without a password`);
      assert.match(res.stderr, /password/, res.stderr);
    }
  }
  // With the password, as the harness does, it works.
  assert.equal(psql(ctx.database, 'SELECT 1'), '1');
});
