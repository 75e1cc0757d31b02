// The console's shell: hash routes to pages, the sign-in gate, and the poll that refreshes the
// page on show every few seconds while the tab is visible.

import { session, logout } from './api.js';
import { h, fill } from './dom.js';
import * as loginPage from './pages/login.js';
import * as overviewPage from './pages/overview.js';
import * as queuesPage from './pages/queues.js';
import * as queuePage from './pages/queue.js';
import * as exchangesPage from './pages/exchanges.js';
import * as exchangePage from './pages/exchange.js';
import * as streamsPage from './pages/streams.js';
import * as streamPage from './pages/stream.js';
import * as groupPage from './pages/group.js';
import * as connectionsPage from './pages/connections.js';
import * as nodesPage from './pages/nodes.js';

const POLL_MILLIS = 3000;

// [first path segment, number of names after it, page, navigation section]
const ROUTES = [
  ['', 0, overviewPage, 'overview'],
  ['queues', 0, queuesPage, 'queues'],
  ['queues', 2, queuePage, 'queues'],
  ['exchanges', 0, exchangesPage, 'exchanges'],
  ['exchanges', 2, exchangePage, 'exchanges'],
  ['streams', 0, streamsPage, 'streams'],
  ['streams', 2, streamPage, 'streams'],
  ['groups', 2, groupPage, 'streams'],
  ['connections', 0, connectionsPage, 'connections'],
  ['nodes', 0, nodesPage, 'nodes'],
];

const main = document.getElementById('main');
const banner = document.getElementById('error');
const refreshed = document.getElementById('refreshed');
const paused = document.getElementById('paused');

let page = null;
let generation = 0;
let timer = null;

const context = {
  navigate(hash) {
    location.hash = hash;
  },
  showError,
};

function showError(error) {
  banner.hidden = false;
  fill(banner, h('strong', null, error.error ? `${error.error}: ` : 'Error: '), error.reason || error.message);
}

function clearError() {
  banner.hidden = true;
  banner.replaceChildren();
}

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const parts = raw === '' ? [''] : raw.split('/').map(decodeURIComponent);
  return { head: parts[0], names: parts.slice(1) };
}

function showSession() {
  const current = session();
  document.getElementById('nav').hidden = !current;
  document.getElementById('session').hidden = !current;
  document.getElementById('session-user').textContent = current?.user ?? '';
}

function stop() {
  generation++;
  clearTimeout(timer);
  timer = null;
  page?.destroy?.();
  page = null;
}

function render() {
  stop();
  clearError();
  showSession();
  const { head, names } = parseHash();
  if (!session() && head !== 'login') {
    const next = location.hash && location.hash !== '#/login' ? location.hash : '#/';
    sessionStorage.setItem('wharf.next', next);
    location.replace('#/login');
    return;
  }
  if (head === 'login') {
    fill(main);
    page = loginPage.mount(main, () => {
      const next = sessionStorage.getItem('wharf.next') || '#/';
      sessionStorage.removeItem('wharf.next');
      location.hash = next;
    });
    return;
  }
  const found = ROUTES.find(([first, arity]) => first === head && arity === names.length);
  document.querySelectorAll('#nav a').forEach((a) => {
    if (found && a.dataset.section === found[3]) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  });
  fill(main);
  if (!found) {
    main.append(h('h1', { id: 'page-title' }, 'Not found'), h('p', null, 'There is no such page. ', h('a', { href: '#/' }, 'Go to the overview.')));
    return;
  }
  page = found[2].mount(main, names, context);
  document.title = `Wharf: ${main.querySelector('h1')?.textContent ?? ''}`;
  poll(generation);
}

async function poll(gen) {
  if (gen !== generation || document.hidden) {
    return;
  }
  clearTimeout(timer);
  try {
    await page.refresh();
    if (gen !== generation) {
      return;
    }
    clearError();
    refreshed.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    if (gen !== generation) {
      return;
    }
    if (error.status === 401) {
      logout();
      sessionStorage.setItem('wharf.reason', error.reason || 'Please sign in again.');
      location.hash = '#/login';
      return;
    }
    showError(error);
  }
  if (gen === generation && !document.hidden) {
    timer = setTimeout(() => poll(gen), POLL_MILLIS);
  }
}

document.addEventListener('visibilitychange', () => {
  paused.hidden = !document.hidden;
  if (document.hidden) {
    clearTimeout(timer);
    timer = null;
  } else if (page?.refresh) {
    poll(generation);
  }
});

document.getElementById('logout').addEventListener('click', () => {
  logout();
  location.hash = '#/login';
});

window.addEventListener('hashchange', render);
render();
