// What the page remembers: the session (token, username, role), the account's money and the
// cart. Session and cart live in sessionStorage (per tab, gone when the tab closes); the token
// never goes into the URL. Views subscribe to 'change' to redraw the header and cart badge.

const SESSION_KEY = 'tm.session';
const CART_KEY = 'tm.cart';

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

let session = load(SESSION_KEY, null); // { token, username, is_admin, role }
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

export function signIn({ token, username, is_admin, role }) {
  session = { token, username, is_admin: Number(is_admin) === 1 ? 1 : 0, role: role ?? (Number(is_admin) === 1 ? 'admin' : 'user') };
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

export function setAccount(a) {
  account = a;
  changed();
}

// --- cart ---------------------------------------------------------------------------------

export const getCart = () => cart.map((line) => ({ ...line }));
export const cartCount = () => cart.reduce((n, line) => n + line.qty, 0);
export const cartQty = (eventId) => cart.find((l) => l.event_id === eventId)?.qty ?? 0;

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
