// Request bodies: JSON objects, the original clients' form-encoded bodies and query-string
// fields, and everything malformed or too large.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login } from '../lib/harness.mjs';
import { setup, stopCleanly, rawRequest } from './helpers.mjs';

let ctx;
before(async () => { ctx = await setup('http_bodies'); });
after(async () => { await stopCleanly(ctx.shim); });

const form = (fields) => ({
  raw: new URLSearchParams(fields).toString(),
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
});

test('malformed JSON is a 400 invalid_json', async () => {
  for (const raw of ['{bad', '{"username": "a",}', '"just a string"', '[1, 2]', '42', 'null', '{"a": "\\u0000"}']) {
    const res = await api(ctx.base, 'POST', '/login', { raw, headers: { 'Content-Type': 'application/json' } });
    assert.equal(res.status, 400, raw);
    assert.ok(['invalid_json', 'invalid_input'].includes(res.body.code), raw);
  }
  const notObject = await api(ctx.base, 'POST', '/account', { body: ['alice', 'pw'] });
  assert.equal(notObject.status, 400);
  assert.equal(notObject.body.code, 'invalid_json');
});

test('a body over 64 KiB is a 413, announced or chunked', async () => {
  const big = JSON.stringify({ username: 'x', password: 'y'.repeat(70 * 1024) });
  const res = await api(ctx.base, 'POST', '/account', { raw: big, headers: { 'Content-Type': 'application/json' } });
  assert.equal(res.status, 413);
  assert.equal(res.body.code, 'payload_too_large');

  const chunk = 'z'.repeat(16 * 1024);
  let request = 'POST /account HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
  for (let i = 0; i < 6; i++) request += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
  request += '0\r\n\r\n';
  const chunked = await rawRequest(ctx.shim.port, request);
  assert.equal(chunked.status, 413);

  const announced = await rawRequest(ctx.shim.port, 'POST /account HTTP/1.1\r\nHost: x\r\n' +
    'Content-Type: application/json\r\nContent-Length: 100000000\r\nConnection: close\r\n\r\n{}');
  assert.equal(announced.status, 413);
});

test('a body just under the cap is read whole', async () => {
  const raw = JSON.stringify({ username: 'padded', password: 'pw-padded', pad: 'p'.repeat(60 * 1024) });
  const res = await api(ctx.base, 'POST', '/account', { raw, headers: { 'Content-Type': 'application/json' } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
});

test('form-encoded bodies, as Flask-RESTful clients send them', async () => {
  const created = await api(ctx.base, 'POST', '/account', form({ username: 'formuser', password: 'form pw&=' }));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.account.username, 'formuser');
  const res = await api(ctx.base, 'POST', '/login', form({ username: 'formuser', password: 'form pw&=' }));
  assert.equal(res.status, 200);
});

// (Passwords themselves are refused in query strings: test/http/hardening.test.mjs.)
test('query-string fields, and body fields win over them', async () => {
  const created = await api(ctx.base, 'POST', '/account?username=queryuser', { body: { password: 'query-pw' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const res = await api(ctx.base, 'POST', '/login?username=someone-else',
    { body: { username: 'queryuser', password: 'query-pw' } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.username, 'queryuser');
});

test('wrong types and missing fields are 400s from the extension, never 500', async () => {
  const admin = await login(ctx.base, 'admin', 'admin-password');
  const bodies = [
    {},
    { username: 5, password: 'x' },
    { username: ['a'], password: 'x' },
    { username: 'a'.repeat(31), password: 'x' },
    { username: '   ', password: 'x' },
  ];
  for (const body of bodies) {
    const res = await api(ctx.base, 'POST', '/account', { body });
    assert.equal(res.status, 400, JSON.stringify(body) + ' ' + JSON.stringify(res.body));
    assert.equal(res.body.code, 'invalid_input');
  }
  const events = [
    { name: 'E', place: 'P', city: 'C', date: '2030-02-30', price: 1, total_available_tickets: 1 },
    { name: 'E', place: 'P', city: 'C', date: '2030-01-01', price: -1, total_available_tickets: 1 },
    { name: 'E', place: 'P', city: 'C', date: '2030-01-01', price: 'many', total_available_tickets: 1 },
    { name: 'E', place: 'P', city: 'C', date: '2030-01-01', price: 1, total_available_tickets: 2 ** 40 },
  ];
  for (const body of events) {
    const res = await api(ctx.base, 'POST', '/event', { token: admin, body });
    assert.equal(res.status, 400, JSON.stringify(body) + ' ' + JSON.stringify(res.body));
  }
  const huge = await api(ctx.base, 'GET', '/event/99999999999999999999');
  assert.ok([400, 404].includes(huge.status), String(huge.status));
});

test('non-UTF-8 input is a 400', async () => {
  const res = await rawRequest(ctx.shim.port, 'POST /login?username=%ff%fe HTTP/1.1\r\nHost: x\r\n' +
    'Content-Length: 0\r\nConnection: close\r\n\r\n');
  assert.equal(res.status, 400);
});
