// Sign-in: the credentials are checked with GET /api/whoami before the console keeps them.

import { login } from '../api.js';
import { h, field, statusLine } from '../dom.js';

export function mount(main, onSignedIn) {
  document.title = 'Wharf: sign in';
  const user = h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true, value: 'guest' });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', id: 'login-submit' }, 'Sign in');
  const status = statusLine('login-error');
  const earlier = sessionStorage.getItem('wharf.reason');
  if (earlier) {
    sessionStorage.removeItem('wharf.reason');
    status.fail({ reason: earlier });
  }
  const form = h('form', {
    id: 'login-form',
    class: 'card narrow',
    onsubmit: async (event) => {
      event.preventDefault();
      submit.disabled = true;
      status.clear();
      try {
        await login(user.value, password.value);
        onSignedIn();
      } catch (error) {
        status.fail(error);
        password.select();
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h1', { id: 'page-title' }, 'Sign in to Wharf'),
  field('User name', user),
  field('Password', password),
  submit,
  status.element);
  main.append(form);
  (user.value ? password : user).focus();
  return {};
}
