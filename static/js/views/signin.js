// Sign in and sign up. Sign-up creates the account (POST /account) and then logs in.

import { h, field, formValues } from '../dom.js';
import * as api from '../api.js';
import { signIn, isSignedIn, getSession } from '../state.js';
import { refreshAccount } from '../account.js';
import { navigate } from '../router.js';
import { money } from '../format.js';
import { pageTitle, notifyError, busy } from '../ui.js';

// `welcome`: what to say after the greeting (a new account's starting credit).
async function startSession(username, password, next, welcome = '') {
  const res = await api.login(username, password);
  signIn(res);
  await refreshAccount();
  const target = next && next !== '/signin' && next !== '/signup' ? next : (res.is_admin ? '/admin/events' : '/');
  navigate(target, { replace: true, state: { flash: `Welcome, ${res.username}!${welcome}` } });
}

function credentialsForm({ submitLabel, onSubmit, newPassword }) {
  const username = h('input', { name: 'username', required: true, maxlength: 30, autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { name: 'password', type: 'password', required: true, autocomplete: newPassword ? 'new-password' : 'current-password', minlength: newPassword ? 1 : null });
  const submit = h('button', { type: 'submit', class: 'btn wide' }, submitLabel);
  const form = h('form', { class: 'card form narrow', novalidate: false },
    field('Username', username, newPassword ? 'Up to 30 characters.' : null),
    field('Password', password),
    submit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    busy(submit, () => onSubmit(v.username, password.value)).catch(notifyError);
  });
  return form;
}

function already() {
  const s = getSession();
  return [pageTitle('You are signed in'), h('p', {}, `Signed in as ${s.username}. `, h('a', { href: '/' }, 'Browse events'))];
}

export function signInView(ctx) {
  if (isSignedIn()) return already();
  const next = ctx.state?.next;
  return h('section', { class: 'auth' },
    pageTitle('Sign in'),
    credentialsForm({ submitLabel: 'Sign in', onSubmit: (u, p) => startSession(u, p, next) }),
    h('p', { class: 'muted center' }, 'New here? ', h('a', { href: '/signup' }, 'Create an account')));
}

export function signUpView() {
  if (isSignedIn()) return already();
  return h('section', { class: 'auth' },
    pageTitle('Create an account'),
    h('p', { class: 'muted center' }, 'New accounts start with credit to spend on tickets.'),
    credentialsForm({
      submitLabel: 'Sign up',
      newPassword: true,
      onSubmit: async (u, p) => {
        // The starting credit is the operator's setting (ticketmonster.initial_credit): the
        // new account's balance says what it is.
        const { account } = await api.createAccount(u, p);
        const credit = Number(account?.available_money);
        await startSession(u, p, '/', credit > 0 ? ` Your account starts with ${money(credit)} to spend on tickets.` : '');
      },
    }),
    h('p', { class: 'muted center' }, 'Already have an account? ', h('a', { href: '/signin' }, 'Sign in')));
}
