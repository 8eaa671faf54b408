// What the page remembers: the session (token, username, role), the account's money and the
// cart. Session and cart live in sessionStorage (per tab, gone when the tab closes); the token
// never goes into the URL. Views subscribe to 'change' to redraw the header and cart badge.

const SESSION_KEY = 'tm.session';
const CART_KEY = 'tm.cart';
const PRICES_KEY = 'tm.prices';

const bus = new EventTarget();
// Returns the function that unsubscribes.
export function onChange(fn) {
  bus.addEventListener('change', fn);
  return () => bus.removeEventListener('change', fn);
}
const changed = () => bus.dispatchEvent(new Event('change'));

function load(key, fallback) {
  try {
    return JSON.parse(sessionStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

function save(key, value) {
  if (value === null) sessionStorage.removeItem(key);
  else sessionStorage.setItem(key, JSON.stringify(value));
}

let session = load(SESSION_KEY, null); // { token, username, is_admin, role, skew }
let account = null; // { username, is_admin, available_money } once fetched
// The cart belongs to one user: { username, lines: [{ event_id, qty }] }.
let cart = load(CART_KEY, null)?.lines ?? [];
const saveCart = () => save(CART_KEY, cart.length ? { username: session?.username, lines: cart } : null);

export const getSession = () => session;
export const isSignedIn = () => Boolean(session?.token);
export const isAdmin = () => Boolean(session?.is_admin);
export const isStaff = () => session?.role === 'staff';
export const isBuyer = () => isSignedIn() && !isAdmin() && !isStaff();
export const getAccount = () => account;

// A token's claims (a JWT: header.payload.signature, base64url JSON); null if unreadable.
export function tokenClaims(token) {
  try {
    return JSON.parse(atob(String(token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return null;
  }
}

// How far the server's clock is ahead of this one, in seconds, from a token it just issued
// (its iat): expiry times are the server's, the page's timers run on the local clock.
const skewOf = (token) => (tokenClaims(token)?.iat ?? Date.now() / 1000) - Date.now() / 1000;

export function signIn({ token, username, is_admin, role }) {
  session = {
    token, username, is_admin: Number(is_admin) === 1 ? 1 : 0, role: role ?? (Number(is_admin) === 1 ? 'admin' : 'user'), skew: skewOf(token),
  };
  save(SESSION_KEY, session);
  account = null;
  // Signing in again after an expired token keeps the cart; another user starts empty.
  if (load(CART_KEY, null)?.username !== username || session.role !== 'user') cart = [];
  saveCart();
  changed();
}

// `keepCart` when the token expired: the same person will probably sign in again.
export function signOut({ keepCart = false } = {}) {
  session = null;
  account = null;
  save(SESSION_KEY, null);
  if (!keepCart) {
    cart = [];
    save(CART_KEY, null);
  }
  changed();
}

// A renewed token of the same session (POST /token).
export function setToken(token) {
  if (!session) return;
  session = { ...session, token, skew: skewOf(token) };
  save(SESSION_KEY, session);
}

export function setAccount(a) {
  account = a;
  changed();
}

// --- cart ---------------------------------------------------------------------------------

export const getCart = () => cart.map((line) => ({ ...line }));
export const cartCount = () => cart.reduce((n, line) => n + line.qty, 0);
export const cartQty = (eventId) => cart.find((l) => l.event_id === eventId)?.qty ?? 0;

// The last price seen of each event (every list and page of events notes them), so that the
// header can say what the cart commits on any page. Kept per tab like the cart.
let prices = load(PRICES_KEY, {});
export function notePrices(events) {
  for (const e of events) prices[e.id] = Number(e.price) || 0;
  save(PRICES_KEY, prices);
}
export const cartTotal = () => cart.reduce((sum, l) => sum + (prices[l.event_id] ?? 0) * l.qty, 0);

export function setQty(eventId, qty) {
  const n = Math.max(0, Math.floor(qty));
  const rest = cart.filter((l) => l.event_id !== eventId);
  const idx = cart.findIndex((l) => l.event_id === eventId);
  if (n === 0) cart = rest;
  else if (idx === -1) cart = [...cart, { event_id: eventId, qty: n }];
  else cart = cart.map((l) => (l.event_id === eventId ? { ...l, qty: n } : l));
  saveCart();
  changed();
}

export const addToCart = (eventId, n = 1) => setQty(eventId, cartQty(eventId) + n);
export const removeFromCart = (eventId) => setQty(eventId, 0);

export function clearCart() {
  cart = [];
  saveCart();
  changed();
}
