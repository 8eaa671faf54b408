// The web page: files under STATIC_DIR with their types, revalidation, history-mode
// fallback for browsers, and no way out of STATIC_DIR whatever the encoding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { api, startShim, freshDatabase } from '../lib/harness.mjs';
import { stopCleanly, rawGet } from './helpers.mjs';

let shim;
let dir;
const files = {
  'index.html': ['<!doctype html><title>TM</title>', 'text/html; charset=utf-8'],
  'app.js': ['export const x = 1;', 'text/javascript; charset=utf-8'],
  'mod.mjs': ['export {};', 'text/javascript; charset=utf-8'],
  'css/site.css': ['body{}', 'text/css; charset=utf-8'],
  'icon.svg': ['<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/svg+xml'],
  'logo.png': ['\x89PNG', 'image/png'],
  'favicon.ico': ['ico', 'image/x-icon'],
  'data.json': ['{"a":1}', 'application/json; charset=utf-8'],
  'robots.txt': ['User-agent: *', 'text/plain; charset=utf-8'],
  'font.woff2': ['wOF2', 'font/woff2'],
};

before(async () => {
  // A STATIC_DIR of our own, so the frontend's files can change without breaking this test.
  dir = mkdtempSync(path.join(tmpdir(), 'tm-static-'));
  for (const [name, [content]] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), Buffer.from(content, 'latin1'));
  }
  mkdirSync(path.join(dir, 'subdir'));
  symlinkSync('/etc/passwd', path.join(dir, 'passwd-link'));
  writeFileSync(path.join(dir, '..', `${path.basename(dir)}-secret.txt`), 'secret');
  shim = await startShim(freshDatabase('http_static'), { env: { STATIC_DIR: dir } });
});
after(async () => {
  await stopCleanly(shim);
  rmSync(dir, { recursive: true, force: true });
  rmSync(path.join(dir, '..', `${path.basename(dir)}-secret.txt`), { force: true });
});

test('GET / is index.html', async () => {
  const res = await fetch(shim.base + '/');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(await res.text(), files['index.html'][0]);
});

test('files under /static/ have their content types', async () => {
  for (const [name, [content, type]] of Object.entries(files)) {
    const res = await fetch(`${shim.base}/static/${name}`);
    assert.equal(res.status, 200, name);
    assert.equal(res.headers.get('content-type'), type, name);
    assert.equal(Buffer.from(await res.arrayBuffer()).toString('latin1'), content, name);
  }
});

test('ETag and If-None-Match, Last-Modified and If-Modified-Since give 304s', async () => {
  const first = await fetch(`${shim.base}/static/app.js`);
  const etag = first.headers.get('etag');
  const lastModified = first.headers.get('last-modified');
  assert.ok(etag);
  assert.ok(lastModified);
  const byEtag = await fetch(`${shim.base}/static/app.js`, { headers: { 'If-None-Match': etag } });
  assert.equal(byEtag.status, 304);
  assert.equal(byEtag.headers.get('etag'), etag);
  const byDate = await fetch(`${shim.base}/static/app.js`, { headers: { 'If-Modified-Since': lastModified } });
  assert.equal(byDate.status, 304);
  const stale = await fetch(`${shim.base}/static/app.js`, { headers: { 'If-None-Match': '"other"' } });
  assert.equal(stale.status, 200);
  const old = await fetch(`${shim.base}/static/app.js`, { headers: { 'If-Modified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT' } });
  assert.equal(old.status, 200);
});

test('history-mode: a browser asking for a non-API path gets index.html', async () => {
  for (const p of ['/login', '/cart', '/show/3', '/my/orders', '/event/abc']) {
    const res = await fetch(shim.base + p, { headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    assert.equal(res.status, 200, p);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8', p);
  }
  const json = await api(shim.base, 'GET', '/cart', { headers: { Accept: 'application/json' } });
  assert.equal(json.status, 404);
  assert.equal(json.body.code, 'not_found');
  // API routes stay API routes, even for browsers.
  const events = await fetch(shim.base + '/healthz', { headers: { Accept: 'text/html' } });
  assert.equal(events.headers.get('content-type'), 'application/json; charset=utf-8');
});

test('missing files, folders and links out of STATIC_DIR are 404 JSON', async () => {
  for (const p of ['/static/nope.js', '/static/subdir', '/static/subdir/', '/static/', '/static/passwd-link']) {
    const res = await api(shim.base, 'GET', p, { headers: { Accept: 'text/html' } });
    assert.equal(res.status, 404, p);
    assert.equal(res.body.code, 'not_found', p);
  }
});

test('no path traversal, whatever the encoding', async () => {
  const secret = `${path.basename(dir)}-secret.txt`;
  const attempts = [
    '/static/../Makefile', '/static/%2e%2e/Makefile', '/static/%2E%2E/Makefile', '/static/..%2fMakefile',
    '/static/..%2FMakefile', '/static/%2e%2e%2fMakefile', '/static/..\\Makefile', '/static/..%5cMakefile',
    '/static/%252e%252e/Makefile', '/static/%252e%252e%252fMakefile', '/static/app.js%00.png',
    '/static/%00../Makefile', '/static/../../../../etc/passwd', '/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    `/static/../${secret}`, `/static/%2e%2e/${secret}`, '/static//etc/passwd', '/static/%2fetc%2fpasswd',
    '/static/./../Makefile', '/static/subdir/../../Makefile', '/../Makefile', '/%2e%2e/Makefile',
  ];
  for (const target of attempts) {
    const res = await rawGet(shim.port, target);
    assert.ok([400, 404].includes(res.status), `${target}: ${res.status}`);
    assert.doesNotMatch(res.body, /root:|secret|EXTENSION|PG_CONFIG/, target);
  }
  // and the files that are there still work through the same decoding
  assert.equal((await rawGet(shim.port, '/static/%61pp.js')).status, 200);
  assert.equal((await rawGet(shim.port, '/static/css/../app.js')).status, 200);
});
