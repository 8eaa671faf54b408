// The header's navigation: what each role can reach, the signed-in user and their money.

import { h, mount } from './dom.js';
import { money } from './format.js';
import { getSession, getAccount, isAdmin, isBuyer, isStaff, cartCount } from './state.js';

function link(href, text, extra = {}) {
  const current = location.pathname === href || (href !== '/' && location.pathname.startsWith(`${href}/`));
  return h('a', { href, class: 'nav-link', 'aria-current': current ? 'page' : null, ...extra }, text);
}

export function renderNav(onSignOut) {
  const nav = document.getElementById('nav');
  const s = getSession();
  const items = [link('/', 'Events'), link('/lineup', 'Artists')];
  if (isBuyer()) {
    const n = cartCount();
    items.push(link('/my-orders', 'My orders'));
    items.push(link('/cart', ['Cart', n ? h('span', { class: 'badge', 'aria-label': `(${n} tickets)` }, String(n)) : null], { 'data-testid': 'cart-link' }));
  }
  if (isAdmin()) {
    items.push(link('/admin/sales', 'Sales'), link('/admin/events', 'Manage events'), link('/admin/artists', 'Manage artists'), link('/admin/accounts', 'Accounts'));
  }
  if (isAdmin() || isStaff()) items.push(link('/door', 'Check-in'));
  const who = s
    ? h('div', { class: 'who-in' },
      h('span', { class: 'user', 'data-testid': 'username' }, s.username,
        isAdmin() ? h('span', { class: 'tag' }, 'admin') : isStaff() ? h('span', { class: 'tag' }, 'door staff') : null),
      isBuyer() ? h('span', { class: 'money', 'data-testid': 'money', title: 'Available money' },
        getAccount() ? money(getAccount().available_money) : '…') : null,
      h('button', { type: 'button', class: 'btn small ghost', onclick: onSignOut }, 'Log out'))
    : h('div', { class: 'who-in' },
      link('/signin', 'Sign in'), h('a', { href: '/signup', class: 'btn small' }, 'Sign up'));
  mount(nav, h('div', { class: 'nav-links' }, items));
  mount(document.getElementById('who'), who);
}
