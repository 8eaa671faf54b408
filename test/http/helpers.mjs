// What the HTTP tests share beyond test/lib/harness.mjs: raw requests (fetch normalises
// paths, and these tests must send "/static/../x" as it is), and a shutdown check that
// also catches sanitizer reports when the shim is the ASan build (TM_SHIM).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startShim, freshDatabase, psql } from '../lib/harness.mjs';

// Sends `request` verbatim and resolves with { status, headers, body } of the answer.
export function rawRequest(port, request) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    const chunks = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => {
        const i = l.indexOf(':');
        return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()];
      }));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
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
