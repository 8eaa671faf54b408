// A sliding session: while the person uses the page (a key, a tap or click, a move to another
// screen), a token in the second half of its life is exchanged for a fresh one (POST /token),
// so that someone who is active is never sent back to sign in. An idle page renews nothing:
// when its token's lifetime is over, `onExpired` runs (the page says so and keeps the cart).
// The server ends renewals TOKEN_MAX_AGE after the password login: that 401 ends it the same way.

import * as api from './api.js';
import { getSession, isSignedIn, setToken, tokenClaims } from './state.js';

let onExpired = () => {};
let renewing = null;
let timer = null;

// The token's lifetime on the local clock, in ms: { issued, expires }, or null.
function lifetime() {
  const s = getSession();
  const c = s?.token ? tokenClaims(s.token) : null;
  if (!c?.exp || !c?.iat) return null;
  const skew = s.skew ?? 0;
  return { issued: (c.iat - skew) * 1000, expires: (c.exp - skew) * 1000 };
}

// The timer that notices the end of the current token's life (re-armed for each token).
function watchExpiry() {
  clearTimeout(timer);
  const life = lifetime();
  if (!life) return;
  // setTimeout holds at most 2^31-1 ms; a longer life re-arms on the way.
  timer = setTimeout(check, Math.min(Math.max(0, life.expires - Date.now()) + 500, 2 ** 31 - 1));
}

function check() {
  const life = lifetime();
  if (!isSignedIn() || !life) return;
  if (Date.now() >= life.expires) {
    onExpired();
  } else {
    watchExpiry();
  }
}

// Called on each sign of activity: renew a token past the middle of its life, once at a time.
export function active() {
  const life = lifetime();
  if (!isSignedIn() || !life || renewing) return;
  const now = Date.now();
  if (now >= life.expires) {
    onExpired();
    return;
  }
  if (now < (life.issued + life.expires) / 2) return;
  const token = getSession().token;
  renewing = api.renewToken()
    .then((fresh) => {
      // Signed out (or signed in as someone else) meanwhile: that token is not ours to keep.
      if (getSession()?.token === token) setToken(fresh);
      watchExpiry();
    })
    .catch(() => {}) // a 401 already ended the session (api.js); anything else: try next time
    .finally(() => { renewing = null; });
}

// `expired` runs once the token's lifetime is over while the page is idle.
export function startSessionWatch(expired) {
  onExpired = expired;
  for (const type of ['keydown', 'pointerdown']) document.addEventListener(type, active, { capture: true, passive: true });
  // A tab that slept past the token's end says so as soon as it is looked at again.
  document.addEventListener('visibilitychange', () => { if (!document.hidden) check(); });
  watchExpiry();
}

// After a sign-in: watch the new token.
export const sessionStarted = watchExpiry;
