// The header's navigation: what each role can reach, the signed-in user and their money
// (with what the cart already commits of it). On a phone the header is one row (logo, money,
// cart, a menu button); the links and the account sit in the menu it opens.

import { h, mount } from './dom.js';
import { money, plural } from './format.js';
import { getSession, getAccount, isAdmin, isBuyer, isStaff, cartCount, cartTotal } from './state.js';

function link(href, text, extra = {}) {
  const current = location.pathname === href || (href !== '/' && location.pathname.startsWith(`${href}/`));
  return h('a', { href, class: 'nav-link', 'aria-current': current ? 'page' : null, ...extra }, text);
}

// The balance, and when the cart holds tickets, how much of it they take: a card that says
// "Not enough money" beside a balance that looks ample otherwise makes no sense.
function balance() {
  const acct = getAccount();
  if (!acct) return h('span', { class: 'money', 'data-testid': 'money', title: 'Available money' }, '…');
  const have = acct.available_money;
  const committed = cartTotal();
  const title = committed
    ? `Your balance is ${money(have)}; your cart takes ${money(committed)} of it, leaving ${money(have - committed)}.`
    : 'Available money';
  return h('span', { class: 'money', 'data-testid': 'money', title },
    money(have), committed ? [h('span', { class: 'money-sep' }, ' · '), h('span', { class: 'money-cart' }, `${money(committed)} in cart`)] : null);
}

// The menu button of the phone layout: opens and closes the navigation below the header.
const header = () => document.querySelector('.site-header');
const menuButton = () => document.getElementById('menu-button');
export const closeMenu = () => setMenu(false);
function setMenu(open) {
  header().classList.toggle('menu-open', open);
  menuButton().setAttribute('aria-expanded', String(open));
}
let menuWired = false;
function wireMenu() {
  if (menuWired) return;
  menuWired = true;
  menuButton().addEventListener('click', () => setMenu(!header().classList.contains('menu-open')));
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !header().classList.contains('menu-open')) return;
    setMenu(false);
    menuButton().focus();
  });
  // A click anywhere but in the menu closes it; a link in it navigates (main.js closes it).
  document.addEventListener('click', (e) => {
    if (!header().contains(e.target)) setMenu(false);
  });
}

export function renderNav(onSignOut) {
  wireMenu();
  const nav = document.getElementById('nav');
  const s = getSession();
  const items = [link('/', 'Events'), link('/lineup', 'Artists')];
  if (isBuyer()) items.push(link('/my-orders', 'My orders'));
  if (isAdmin()) {
    items.push(link('/admin/sales', 'Sales'), link('/admin/events', 'Manage events'), link('/admin/artists', 'Manage artists'), link('/admin/accounts', 'Accounts'));
  }
  if (isAdmin() || isStaff()) items.push(link('/door', 'Check-in'));
  const logOut = () => h('button', { type: 'button', class: 'btn small ghost', onclick: onSignOut }, 'Log out');
  const n = cartCount();
  const who = s
    ? h('div', { class: 'who-in' },
      h('span', { class: 'user', 'data-testid': 'username' }, s.username,
        isAdmin() ? h('span', { class: 'tag' }, 'admin') : isStaff() ? h('span', { class: 'tag' }, 'door staff') : null),
      isBuyer() ? balance() : null,
      isBuyer() ? link('/cart', ['Cart', n ? h('span', { class: 'badge', 'aria-label': `(${plural(n, 'ticket')})` }, String(n)) : null], { 'data-testid': 'cart-link' }) : null,
      h('span', { class: 'wide-only' }, logOut()))
    : h('div', { class: 'who-in' },
      link('/signin', 'Sign in'), h('a', { href: '/signup', class: 'btn small' }, 'Sign up'));
  // The account's part of the phone menu (the wide header shows it in the row instead).
  const account = s
    ? h('div', { class: 'nav-account' }, h('span', { class: 'muted' }, `Signed in as ${s.username}`), logOut())
    : null;
  mount(nav, h('div', { class: 'nav-links' }, items), account);
  mount(document.getElementById('who'), who);
}
