// The REST client: one fetch wrapper that sends the token as a Bearer header, turns error
// bodies ({"message","code"}) into ApiError, and reports a 401 once so the app can send the
// user back to the sign-in page. One small function per endpoint of /work/shared/API.md.

import { getSession, notePrices } from './state.js';
import { explain } from './errors.js';

export class ApiError extends Error {
  constructor(status, body) {
    super(explain(status, body)); // words for people; the cart names events itself (explain)
    this.status = status;
    this.body = body; // the error's own fields, e.g. checked_in_at of already_checked_in
    this.code = body?.code ?? (status ? 'http_error' : 'network');
  }
}

let onUnauthorized = () => {};
export const setUnauthorizedHandler = (fn) => { onUnauthorized = fn; };

async function request(method, path, { body, headers = {}, withResponse = false, text = false } = {}) {
  const h = { Accept: text ? 'text/*' : 'application/json', ...headers };
  const token = getSession()?.token;
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';

  let res;
  try {
    res = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, null);
  }
  if (res.ok && text) return res.text();
  let data = null;
  try {
    data = await res.json();
  } catch { /* empty or non-JSON body */ }
  if (res.ok) return withResponse ? { data, response: res } : data;
  const err = new ApiError(res.status, data);
  if (res.status === 401 && token) onUnauthorized(err);
  throw err;
}

const u = encodeURIComponent;

// Accounts
export const login = (username, password) => request('POST', '/login', { body: { username, password } });
// Ends the token's session on the server (the token is revoked, not just forgotten).
export const logout = () => request('POST', '/logout', { body: {} });
// A new token with a fresh lifetime for the same session (a sliding session; session.js).
export const renewToken = () => request('POST', '/token', { body: {} }).then((d) => d.token);
export const createAccount = (username, password) => request('POST', '/account', { body: { username, password } });
export const account = (username) => request('GET', `/account/${u(username)}`).then((d) => d.account);
export const accounts = () => request('GET', '/accounts').then((d) => d.accounts);
export const deleteAccount = (username) => request('DELETE', `/account/${u(username)}`);

// Events. `when`: 'upcoming', 'past' or 'all'. Their prices are noted for the header's sum
// of the cart (state.js).
const priced = (list) => { notePrices(list); return list; };
export const events = (when = 'all') => request('GET', `/events?when=${u(when)}`).then((d) => priced(d.events));
export const event = (id) => request('GET', `/event/${u(id)}`).then((d) => priced([d.event])[0]);
// The event with its ETag, which an edit sends back as If-Match.
export const eventForEdit = (id) => request('GET', `/event/${u(id)}`, { withResponse: true })
  .then(({ data, response }) => ({ event: data.event, etag: response.headers.get('ETag') }));
export const createEvent = (body) => request('POST', '/event', { body }).then((d) => d.event);
// Always conditional: an edit made on a stale copy (a sale since) is refused with 412
// stale_version instead of overwriting what changed.
export const updateEvent = (id, body, etag) => request('PUT', `/event/${u(id)}`,
  { body, headers: { 'If-Match': etag } }).then((d) => d.event);
export const deleteEvent = (id) => request('DELETE', `/event/${u(id)}`);
export const addEventArtist = (id, body) => request('POST', `/event/${u(id)}/artist`, { body }).then((d) => d.event);
export const removeEventArtist = (id, artistId) => request('DELETE', `/event/${u(id)}/artist/${u(artistId)}`);

// Artists
export const artists = () => request('GET', '/artists').then((d) => d.artists);
export const artist = (id) => request('GET', `/artist/${u(id)}`).then((d) => d.artist);
export const artistEvents = (id) => request('GET', `/artist/${u(id)}/events`).then((d) => d.events);
export const createArtist = (body) => request('POST', '/artist', { body }).then((d) => d.artist);
export const updateArtist = (id, body) => request('PUT', `/artist/${u(id)}`, { body }).then((d) => d.artist);
export const deleteArtist = (id) => request('DELETE', `/artist/${u(id)}`);

// Orders and tickets
export const orders = (username) => request('GET', `/orders/${u(username)}`).then((d) => d.orders);
export const cancelOrder = (username, id) => request('POST', `/orders/${u(username)}/${u(id)}/cancel`);
export const checkIn = (code, eventId) => request('POST', '/checkin',
  { body: eventId ? { code, event_id: Number(eventId) } : { code } });

// Sales (admins)
export const sales = () => request('GET', '/sales');
export const salesCsv = () => request('GET', '/sales?format=csv', { text: true });
export const salesDaily = (eventId) =>
  request('GET', eventId ? `/sales/daily?event_id=${u(eventId)}` : '/sales/daily').then((d) => d.days);

// The whole cart in one request. `key` identifies this Buy click: a retry after a network
// failure or a 503 sends the same key, so the server applies the purchase at most once.
export async function buy(username, lines, key, { attempts = 3 } = {}) {
  const body = { orders: lines.map((l) => ({ event_id: l.event_id, tickets_bought: l.qty })) };
  for (let i = 1; ; i++) {
    try {
      return (await request('POST', `/orders/${u(username)}`, { body, headers: { 'Idempotency-Key': key } })).orders;
    } catch (err) {
      const transient = err.status === 0 || err.status === 503;
      if (!transient || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 300 * i));
    }
  }
}

// A fresh idempotency key; crypto.randomUUID needs a secure context, so fall back to
// getRandomValues (available everywhere) when the page is served over plain http.
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
