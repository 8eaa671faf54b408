// Keeps the header's money in step with the server: fetched after sign-in, on start-up
// and after every purchase.

import * as api from './api.js';
import { getSession, setAccount, isSignedIn } from './state.js';

export async function refreshAccount() {
  if (!isSignedIn()) return null;
  const { username } = getSession();
  try {
    const a = await api.account(username);
    if (getSession()?.username === username) setAccount(a);
    return a;
  } catch (err) {
    if (err.status !== 401) console.warn('could not refresh the account:', err.message);
    return null;
  }
}
