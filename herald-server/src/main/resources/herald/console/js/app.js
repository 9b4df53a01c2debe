// The console shell: sign-in, navigation and a hash router (#/section/…), so that nothing of the
// state — least of all the token — travels to the server in a URL.

import {ApiError, get, session} from './api.js';
import {alertBox, field, h} from './dom.js';
import * as overview from './pages/overview.js';
import * as events from './pages/events.js';
import * as eventView from './pages/event.js';
import * as tail from './pages/tail.js';
import * as subscriptions from './pages/subscriptions.js';
import * as subscription from './pages/subscription.js';
import * as subscriptionForm from './pages/subscription-form.js';
import * as schemas from './pages/schemas.js';
import * as tokens from './pages/tokens.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');

/** The signed-in token's own record (GET /v1/whoami), shared with the pages. */
export const context = {whoami: null};

const routes = [
  {pattern: /^overview$/, section: 'overview', page: overview},
  {pattern: /^events$/, section: 'events', page: events},
  {pattern: /^events\/(.+)$/, section: 'events', page: eventView},
  {pattern: /^tail$/, section: 'tail', page: tail},
  {pattern: /^subscriptions$/, section: 'subscriptions', page: subscriptions},
  {pattern: /^subscriptions\/new$/, section: 'subscriptions', page: subscriptionForm},
  {pattern: /^subscriptions\/([^/]+)\/edit$/, section: 'subscriptions', page: subscriptionForm},
  {pattern: /^subscriptions\/([^/]+)$/, section: 'subscriptions', page: subscription},
  {pattern: /^schemas$/, section: 'schemas', page: schemas},
  {pattern: /^schemas\/([^/]+)$/, section: 'schemas', page: schemas},
  {pattern: /^tokens$/, section: 'tokens', page: tokens},
];

let cleanup = null;
let generation = 0;

/** The current hash as {path, params}: #/events?type=ci.* → {path: 'events', params: URLSearchParams}. */
export function location() {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const [path, search] = hash.split('?');
  return {path: path || 'overview', params: new URLSearchParams(search ?? '')};
}

export function navigate(path, params) {
  const search = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== '')).toString() : '';
  window.location.hash = `#/${path}${search ? `?${search}` : ''}`;
}

async function render() {
  const run = ++generation;
  if (cleanup) {
    try {
      cleanup();
    } finally {
      cleanup = null;
    }
  }
  if (!session.token) {
    showSignIn();
    return;
  }
  if (!context.whoami) {
    try {
      context.whoami = await get('/v1/whoami');
    } catch (error) {
      session.signOut();
      showSignIn(error instanceof ApiError && error.status === 401 ? 'The token is unknown, revoked or expired.' : error.message);
      return;
    }
    showShell();
  }
  const {path, params} = location();
  const route = routes.find(r => r.pattern.test(path));
  for (const link of nav.querySelectorAll('a[data-section]')) {
    if (route && link.dataset.section === route.section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  main.replaceChildren();
  if (!route) {
    main.append(h('h1', {tabindex: -1}, 'Not found'), h('p', null, 'No console page has this address. ', h('a', {href: '#/overview'}, 'Go to the overview.')));
    return;
  }
  const args = path.match(route.pattern).slice(1).map(decodeURIComponent);
  try {
    const result = await route.page.render(main, {args, params, whoami: context.whoami, isCurrent: () => run === generation});
    if (run === generation) cleanup = typeof result === 'function' ? result : null;
    else if (typeof result === 'function') result();
  } catch (error) {
    if (run !== generation) return;
    main.append(alertBox('error', error instanceof ApiError ? `${error.status} ${error.problem.title ?? 'Error'}` : 'Error',
      [error.message]));
  }
  if (run === generation) {
    const heading = main.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      if (document.activeElement === document.body || !main.contains(document.activeElement)) heading.focus({preventScroll: true});
    }
    document.title = `${heading?.textContent ?? 'Console'} · Herald`;
  }
}

function showShell() {
  const me = context.whoami;
  nav.hidden = false;
  who.hidden = false;
  document.getElementById('who-name').textContent = `${me.name} (${me.id}${me.project ? `, project ${me.project}` : ''})`;
  for (const item of document.querySelectorAll('[data-admin-only]')) item.hidden = !isAdmin();
}

export function isAdmin() {
  return context.whoami?.scopes?.includes('admin') ?? false;
}

/** The type patterns the token may subscribe to ('*' for admin): the default filter of the tail. */
export function subscribePatterns() {
  if (isAdmin()) return ['*'];
  return (context.whoami?.scopes ?? []).filter(s => s.startsWith('subscribe:')).map(s => s.slice('subscribe:'.length));
}

function showSignIn(message) {
  context.whoami = null;
  nav.hidden = true;
  who.hidden = true;
  const token = h('input', {type: 'password', name: 'token', id: 'token', autocomplete: 'off', required: true, spellcheck: 'false'});
  const tokenField = field('API token', token, {help: 'A Herald token, hrld_…. It is kept in this browser tab only (sessionStorage) and sent as a bearer token to the /v1 API.'});
  const form = h('form', {class: 'panel signin', 'aria-labelledby': 'signin-title'},
    h('h1', {id: 'signin-title'}, 'Sign in to Herald'),
    message ? alertBox('error', 'Signed out', [message]) : null,
    tokenField,
    h('div', {class: 'actions'}, h('button', {type: 'submit', id: 'sign-in'}, 'Sign in')));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    session.signIn(token.value.trim());
    try {
      context.whoami = await get('/v1/whoami');
    } catch (error) {
      session.signOut();
      tokenField.fieldError(error instanceof ApiError && error.status === 401
        ? 'This token is unknown, revoked or expired.' : error.message);
      token.focus();
      return;
    }
    showShell();
    if (!window.location.hash || window.location.hash === '#/') navigate('overview'); else render();
  });
  main.replaceChildren(form);
  document.title = 'Sign in · Herald';
  token.focus();
}

function signOut() {
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  session.signOut();
  showSignIn();
}

document.getElementById('sign-out').addEventListener('click', signOut);
session.whenUnauthorized(() => {
  session.signOut();
  showSignIn('The server no longer accepts the token (revoked or expired). Sign in again.');
});
window.addEventListener('hashchange', render);
window.addEventListener('pagehide', () => cleanup?.());
render();
