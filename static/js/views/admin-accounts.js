// Admin: every account, with a confirmed delete (its orders go and their tickets return to sale).

import { h } from '../dom.js';
import * as api from '../api.js';
import { money } from '../format.js';
import { getSession } from '../state.js';
import { pageTitle, empty, confirmAction, notify, notifyError, busy } from '../ui.js';
import { reload } from '../router.js';

const NUMERIC = new Set(['Money']);

export async function adminAccountsView() {
  const accounts = (await api.accounts()).sort((a, b) => b.is_admin - a.is_admin || a.username.localeCompare(b.username));
  const me = getSession().username;

  async function remove(a, button) {
    if (!(await confirmAction(`Delete the account ${a.username}? Its orders are deleted and the tickets go back on sale.`, { title: 'Delete account?' }))) return;
    await busy(button, async () => {
      await api.deleteAccount(a.username);
      await reload();
      notify(`Deleted ${a.username}.`);
    }).catch(notifyError);
  }

  if (!accounts.length) return [pageTitle('Accounts'), empty('No accounts.')];
  return [
    pageTitle('Accounts'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-testid': 'admin-accounts' },
      h('caption', { class: 'sr-only' }, 'Accounts'),
      h('thead', {}, h('tr', {}, ['Username', 'Role', 'Money', ''].map((t) => h('th', { scope: 'col', class: NUMERIC.has(t) ? 'num' : null }, t)))),
      h('tbody', {}, accounts.map((a) => {
        let del = null;
        if (a.username !== me) {
          del = h('button', { type: 'button', class: 'btn small danger', 'aria-label': `Delete ${a.username}` }, 'Delete');
          del.addEventListener('click', () => remove(a, del));
        }
        return h('tr', { 'data-username': a.username },
          h('th', { scope: 'row', 'data-label': 'Username' }, h('span', {}, a.username, a.username === me ? h('span', { class: 'muted' }, ' (you)') : null)),
          h('td', { 'data-label': 'Role' }, a.is_admin ? h('span', { class: 'tag' }, 'admin') : 'user'),
          h('td', { 'data-label': 'Money', class: 'num' }, a.is_admin ? '—' : money(a.available_money)),
          h('td', { class: 'row-actions' }, del));
      })))),
  ];
}
