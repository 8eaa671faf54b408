// What the original app's frontends do, request for request: every URL is base + '/path'
// with a base that ends in '/', so each path starts with '//'; after POST /login the account
// is read with a token-less GET /account/<username> (balance and admin flag); purchases send
// the token as HTTP Basic "token:" (axios `auth: {username: token}`); a cart is bought as one
// POST /order/<username> per line, all sent at once. Requests go through XMLHttpRequest, as
// axios does in a browser.
const BASE = `${window.location.origin}/`;
const session = { username: null, token: null };
const cart = new Map();          // event id -> tickets

function request(method, path, { body, token } = {}) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, BASE + path);
    if (token) xhr.setRequestHeader('Authorization', `Basic ${btoa(`${token}:`)}`);
    if (body !== undefined) xhr.setRequestHeader('Content-Type', 'application/json;charset=utf-8');
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      resolve({ status: xhr.status, data });
    };
    xhr.onerror = () => resolve({ status: 0, data: null });
    xhr.send(body === undefined ? null : JSON.stringify(body));
  });
}

const show = (id, text) => { document.getElementById(id).textContent = String(text); };

async function readAccount() {
  const res = await request('GET', `/account/${session.username}`);
  if (res.status !== 200) {
    // what the original clients showed when this read failed
    show('money', '-1');
    show('role', 'none');
    show('error', `Role error (${res.status})`);
    return;
  }
  show('money', res.data.account.available_money);
  show('role', res.data.account.is_admin ? 'admin' : 'user');
}

async function loadEvents() {
  const res = await request('GET', '/events');
  const list = document.getElementById('events');
  list.replaceChildren(...res.data.events.map((e) => {
    const li = document.createElement('li');
    const add = document.createElement('button');
    add.type = 'button';
    add.textContent = `Add ${e.name}`;
    add.addEventListener('click', () => {
      cart.set(e.id, (cart.get(e.id) ?? 0) + 1);
      show('cart', [...cart].map(([id, n]) => `${id}x${n}`).join(' '));
    });
    li.append(`${e.name} (${e.price}, ${e.total_available_tickets} left) `, add);
    return li;
  }));
}

document.getElementById('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  const res = await request('POST', '/login', { body: { username: form.get('username'), password: form.get('password') } });
  if (res.status !== 200) {
    show('error', 'Username or password incorrect');
    return;
  }
  session.username = res.data.username;
  session.token = res.data.token;
  show('who', session.username);
  await readAccount();
  await loadEvents();
});

document.getElementById('buy').addEventListener('click', async () => {
  const lines = [...cart];
  const results = await Promise.all(lines.map(([id, n]) => request('POST', `/order/${session.username}`,
    { token: session.token, body: { id_event: id, tickets_bought: n } })));
  cart.clear();
  show('cart', 'empty');
  show('bought', results.map((r) => r.status).join(' '));
  await readAccount();
  await loadEvents();
});
