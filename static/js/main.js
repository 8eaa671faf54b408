// Start-up: the route table, the render loop, and what happens on sign-out or a 401.

import { h, mount } from './dom.js';
import * as router from './router.js';
import * as api from './api.js';
import { onChange, signOut, isSignedIn, isAdmin, isStaff } from './state.js';
import { refreshAccount } from './account.js';
import { renderNav, closeMenu } from './nav.js';
import { SESSION_EXPIRED } from './errors.js';
import { startSessionWatch, sessionStarted, active } from './session.js';
import { clearNotices, notify, notifyError, loading, pageTitle, empty } from './ui.js';

import { eventsView } from './views/events.js';
import { eventView } from './views/event.js';
import { artistsView, artistView } from './views/artists.js';
import { signInView, signUpView } from './views/signin.js';
import { cartView } from './views/cart.js';
import { ordersView } from './views/orders.js';
import { ticketsView } from './views/tickets.js';
import { checkinView } from './views/checkin.js';
import { adminEventsView } from './views/admin-events.js';
import { eventFormView } from './views/event-form.js';
import { adminArtistsView } from './views/admin-artists.js';
import { adminAccountsView } from './views/admin-accounts.js';
import { adminSalesView } from './views/admin-sales.js';

router.add('/', eventsView, { title: 'Events' });
router.add('/show/:id', eventView, { title: 'Event' });
router.add('/lineup', artistsView, { title: 'Artists' });
router.add('/lineup/:id', artistView, { title: 'Artist' });
router.add('/signin', signInView, { title: 'Sign in' });
router.add('/signup', signUpView, { title: 'Sign up' });
router.add('/cart', cartView, { title: 'Cart', auth: 'user' });
router.add('/my-orders', ordersView, { title: 'My orders', auth: 'user' });
router.add('/my-orders/:id/tickets', ticketsView, { title: 'Tickets', auth: 'user' });
router.add('/door', checkinView, { title: 'Check-in', auth: 'door' });
router.add('/admin/events', adminEventsView, { title: 'Manage events', auth: 'admin' });
router.add('/admin/events/new', eventFormView, { title: 'New event', auth: 'admin' });
router.add('/admin/events/:id', eventFormView, { title: 'Edit event', auth: 'admin' });
router.add('/admin/artists', adminArtistsView, { title: 'Manage artists', auth: 'admin' });
router.add('/admin/accounts', adminAccountsView, { title: 'Accounts', auth: 'admin' });
router.add('/admin/sales', adminSalesView, { title: 'Sales', auth: 'admin' });

const main = document.getElementById('main');
let cleanups = [];
let lastPath = null;

function allowed(route) {
  if (!route.auth) return true;
  if (!isSignedIn()) return false;
  if (route.auth === 'admin') return isAdmin();
  if (route.auth === 'door') return isAdmin() || isStaff();
  if (route.auth === 'user') return !isAdmin() && !isStaff();
  return true;
}

async function render({ path, state, isCurrent, keepFocus }) {
  cleanups.forEach((fn) => fn());
  cleanups = [];
  if (path !== lastPath && !state?.flash) clearNotices();
  lastPath = path;
  renderNav(logOut);
  closeMenu();
  // Moving to another screen is using the page: the session slides (session.js). Queued, so
  // that a session found over ends it after this render has started, not inside it.
  queueMicrotask(active);

  const found = router.match(path);
  if (found && !allowed(found.route)) {
    if (!isSignedIn()) {
      return router.navigate('/signin', { replace: true, state: { next: path, flash: 'Please sign in to continue.', flashKind: 'info' } });
    }
    return show(pageTitle('Not allowed'), empty('This page is for another kind of account.', h('a', { href: '/' }, 'Back to events')));
  }
  if (state?.flash) {
    notify(state.flash, state.flashKind || 'success');
    // Shown once: a reload of this page or a step back in history must not repeat it.
    history.replaceState({ ...state, flash: null, flashKind: null }, '');
  }
  if (!found) {
    document.title = 'Not found · TicketMonster';
    return show(pageTitle('Page not found'), empty('There is nothing here.', h('a', { href: '/' }, 'Back to events')));
  }

  document.title = `${found.route.title} · TicketMonster`;
  if (!keepFocus) mount(main, loading()); // a reload keeps the old content until the new is ready
  const ctx = {
    params: found.params,
    state,
    isCurrent,
    listen: (fn) => cleanups.push(onChange(fn)),
    // Runs when the page goes (navigation or redraw), e.g. to remove a listener of window.
    cleanup: (fn) => cleanups.push(fn),
    setTitle: (t) => { document.title = `${t} · TicketMonster`; },
  };
  let node;
  try {
    node = await found.route.view(ctx);
  } catch (err) {
    if (!isCurrent()) return;
    notifyError(err);
    node = [pageTitle('Something went wrong'), empty(err.message, h('a', { href: '/' }, 'Back to events'))];
  }
  if (!isCurrent()) return;
  show(node);
  if (!keepFocus) scrollTo(0, 0);
  // After a reload the control that had focus may be gone; fall back to the heading.
  if (!keepFocus || !main.contains(document.activeElement)) main.querySelector('h1')?.focus({ preventScroll: true });

  function show(...nodes) {
    mount(main, ...nodes);
  }
}

function logOut() {
  // Unsaved changes on the page: the person decides first.
  if (router.guarded()) {
    router.mayLeave().then((leave) => { if (leave) logOut(); });
    return;
  }
  // The token is read as the request starts, so the server revokes it even though the page
  // forgets it at once; signing out here neither waits for nor needs the answer.
  api.logout().catch(() => {});
  signOut();
  router.navigate('/', { state: { flash: 'You are logged out.', flashKind: 'info' } });
}

// An expired or rejected token (a 401, or the token's lifetime over while the page was idle):
// forget it, keep the cart, and say so. On a public page the visitor stays where they are;
// elsewhere they go to the sign-in page, which brings them back here afterwards.
function sessionExpired() {
  if (!isSignedIn()) return; // several requests can fail at once; act on the first
  const next = location.pathname + location.search;
  signOut({ keepCart: true });
  if (router.match(location.pathname)?.route.auth) {
    router.navigate('/signin', { replace: true, state: { next, flash: SESSION_EXPIRED, flashKind: 'error' } });
  } else {
    notify(SESSION_EXPIRED, 'error');
    router.reload();
  }
}
api.setUnauthorizedHandler(sessionExpired);
startSessionWatch(sessionExpired);

// Sending a form starts a new attempt: an error about the last one no longer applies.
document.addEventListener('submit', () => clearNotices(), { capture: true });

onChange(() => {
  renderNav(logOut);
  sessionStarted(); // a new token (sign-in) or none (sign-out): re-arm the expiry watch
});
router.start(render);
refreshAccount();
