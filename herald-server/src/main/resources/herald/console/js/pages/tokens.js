// Tokens (admin only): create with scopes, a project and an expiry (the secret is shown once), list,
// revoke.

import {ApiError, del, enc, get, post, query} from '../api.js';
import {isAdmin} from '../app.js';
import {alertBox, confirmButton, copyButton, field, formatTime, h, table} from '../dom.js';

export async function render(main, {params}) {
  main.append(h('h1', null, 'Tokens'));
  if (!isAdmin()) {
    main.append(alertBox('warn', 'Admin only', ['Managing tokens needs a token with the admin scope.']));
    return;
  }
  const all = params.get('all') === 'true';
  const notices = h('div', {'aria-live': 'polite'});
  const c = {
    name: h('input', {name: 'name', id: 'token-name', required: true}),
    scopes: h('textarea', {name: 'scopes', id: 'token-scopes', rows: 3, placeholder: 'publish:ci.*\nsubscribe:ci.*'}),
    project: h('input', {name: 'project', id: 'token-project', placeholder: 'gid://gitlab/Project/1'}),
    expiresIn: h('input', {name: 'expiresIn', id: 'token-expires', placeholder: '30d'}),
  };
  const f = {
    name: field('Name', c.name),
    scopes: field('Scopes', c.scopes, {className: 'wide', help: 'One per line: admin, metrics, publish:<type glob>, subscribe:<type glob>'}),
    project: field('Project', c.project, {help: 'Optional: the token then only publishes and sees this project'}),
    expiresIn: field('Expires in', c.expiresIn, {help: 'Optional, e.g. 30d'}),
  };
  const form = h('form', {class: 'panel', novalidate: true, 'aria-labelledby': 'create-title'},
    h('h2', {id: 'create-title'}, 'Create a token'),
    h('div', {class: 'form-grid'}, f.name, f.scopes, f.project, f.expiresIn),
    h('div', {class: 'actions'}, h('button', {type: 'submit', id: 'create-token'}, 'Create token')));
  const list = h('div');
  const showAll = h('input', {type: 'checkbox', id: 'show-all', checked: all});
  showAll.addEventListener('change', () => { window.location.hash = `#/tokens${showAll.checked ? '?all=true' : ''}`; });
  main.append(notices, form, h('h2', null, 'Tokens'), field('Include revoked and expired', showAll), list);

  const refresh = async () => {
    const {tokens} = await get(`/v1/tokens${query({all: all ? 'true' : ''})}`);
    list.replaceChildren(table(['ID', 'Name', 'Scopes', 'Project', 'Status', 'Created', 'Last used', 'Expires', ''],
      tokens.map(t => h('tr', {'data-token': t.id},
        h('td', {class: 'mono'}, t.id), h('td', null, t.name), h('td', {class: 'mono'}, t.scopes.join(' ')),
        h('td', {class: 'mono'}, t.project ?? '—'),
        h('td', null, h('span', {class: `badge ${t.status === 'active' ? 'ok' : 'bad'}`}, t.status)),
        h('td', null, formatTime(t.createdAt)), h('td', null, formatTime(t.lastUsedAt)), h('td', null, formatTime(t.expiresAt)),
        h('td', null, t.status === 'active' ? confirmButton('Revoke', 'Confirm revoke', async () => {
          try {
            await del(`/v1/tokens/${enc(t.id)}`);
            notices.replaceChildren(alertBox('ok', `Revoked ${t.id}.`));
          } catch (error) {
            notices.replaceChildren(alertBox('error', 'Revoke failed', [error.message]));
          }
          await refresh();
        }) : '')))));
  };

  form.addEventListener('submit', async event => {
    event.preventDefault();
    Object.values(f).forEach(x => x.fieldError(null));
    const body = {name: c.name.value.trim(), scopes: c.scopes.value.split(/[\s,]+/).filter(Boolean)};
    if (c.project.value.trim()) body.project = c.project.value.trim();
    if (c.expiresIn.value.trim()) body.expiresIn = c.expiresIn.value.trim();
    try {
      const created = await post('/v1/tokens', body);
      form.reset();
      notices.replaceChildren(h('div', {class: 'alert warn', role: 'status', id: 'created-token'},
        h('strong', null, `Created ${created.id}. The token is shown only now: `), 'only its hash is stored.',
        h('div', {class: 'secret'}, h('code', null, created.token), copyButton('Copy token', created.token))));
      await refresh();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const unplaced = [];
      for (const v of error.violations) {
        const place = Object.keys(f).find(k => v.where === k || v.where?.startsWith(`${k}[`) || (k === 'expiresIn' && v.where === 'expiresAt'));
        if (place) f[place].fieldError(v.rule); else unplaced.push(`${v.where}: ${v.rule}`);
      }
      notices.replaceChildren(alertBox('error', `${error.status} ${error.problem.title ?? 'Error'}`, [error.message, ...unplaced]));
    }
  });
  await refresh();
}
