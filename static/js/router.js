// History-mode routing. Client paths never coincide with API paths (/events, /event/...,
// /artists, /account/..., /orders/...), so a reload of any page gets index.html from the shim.

const routes = [];
let render = () => {};
let seq = 0;

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
  return render({ path: location.pathname, state: history.state, isCurrent: () => id === seq, ...opts });
}

export function start(renderFn) {
  render = renderFn;
  addEventListener('popstate', () => go());
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest('a[href]');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/static/')) return;
    if (url.hash && url.pathname === location.pathname) return; // in-page anchors (skip link)
    e.preventDefault();
    if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
  });
  return go();
}
