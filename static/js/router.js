// History-mode routing. Client paths never coincide with API paths (/events, /event/...,
// /artists, /account/..., /orders/...), so a reload of any page gets index.html from the shim.

const routes = [];
let render = () => {};
let seq = 0;
// The page's own question before an in-app move away (a link or Back/Forward), e.g. a form
// with unsaved changes: an async function resolving true to leave. Set by the view
// (guardLeave), removed with it. Moves the app makes itself (after a save) are not asked.
let leaveGuard = null;
let here = null; // { url, state } of the page being shown, to come back to when Back is refused

export const guarded = () => leaveGuard !== null;

// Returns the function that removes the guard.
export function guardLeave(fn) {
  leaveGuard = fn;
  return () => { if (leaveGuard === fn) leaveGuard = null; };
}

// Asks the guard, if any; a guard that lets go is removed so it is not asked twice. Also for
// moves that are not links, e.g. signing out.
export async function mayLeave() {
  if (!leaveGuard) return true;
  if (!(await leaveGuard())) return false;
  leaveGuard = null;
  return true;
}

// add('/show/:id', view, { title, auth: 'user' | 'admin' | 'any' })
export function add(pattern, view, options = {}) {
  const names = [];
  const re = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, n) => { names.push(n); return '([^/]+)'; })}/?$`);
  routes.push({ re, names, view, ...options });
}

export function match(pathname) {
  for (const r of routes) {
    const m = r.re.exec(pathname);
    if (m) {
      const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
      return { route: r, params };
    }
  }
  return null;
}

export function navigate(path, { replace = false, state = null } = {}) {
  if (replace) history.replaceState(state, '', path);
  else history.pushState(state, '', path);
  return go();
}

export const reload = () => go({ keepFocus: true });

// Each navigation gets a number; a view that finishes loading after the user moved on
// checks `isCurrent()` and leaves the page alone.
function go(opts = {}) {
  const id = ++seq;
  here = { url: location.pathname + location.search, state: history.state };
  return render({ path: location.pathname, state: history.state, isCurrent: () => id === seq, ...opts });
}

export function start(renderFn) {
  render = renderFn;
  addEventListener('popstate', async () => {
    if (!leaveGuard) return go();
    // The browser has already moved: show the page's own address again while it asks, and
    // if the answer is to leave, step back to where Back pointed (the guard is gone by then).
    const kept = here;
    history.pushState(kept.state, '', kept.url);
    if (await mayLeave()) history.back();
  });
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest('a[href]');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/static/')) return;
    if (url.hash && url.pathname === location.pathname) return; // in-page anchors (skip link)
    e.preventDefault();
    if (url.pathname + url.search === location.pathname + location.search) return;
    mayLeave().then((leave) => { if (leave) navigate(url.pathname + url.search); });
  });
  return go();
}
