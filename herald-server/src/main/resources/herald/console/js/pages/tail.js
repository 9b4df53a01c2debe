// Live tail: an ephemeral streaming-pull subscription (as `herald tail` uses) read over SSE, with
// type, project and CESQL filters, pause/resume, and arrivals highlighted. Events are acked as they
// are shown; the subscription is deleted when the page is left (the server removes a forgotten one
// after 10 minutes without a stream).

import {ApiError, del, enc, post, serverUrl} from '../api.js';
import {subscribePatterns} from '../app.js';
import {alertBox, commandBlock, field, formatTime, h, shellQuote, table} from '../dom.js';
import {isAbort, readStream} from '../sse.js';

const MAX_ROWS = 500;
const ACK_EVERY_MS = 300;

export async function render(main, {params}) {
  const inputs = {
    type: h('input', {name: 'type', value: params.get('type') ?? subscribePatterns().join(', '), placeholder: 'ci.*, repository.push'}),
    project: h('input', {name: 'project', value: params.get('project') ?? '', placeholder: 'gid://gitlab/Project/1'}),
    sql: h('input', {name: 'sql', value: params.get('sql') ?? '', placeholder: "authtype = 'app_user'"}),
  };
  const fields = {
    types: field('Types', inputs.type, {help: 'Types or prefixes ending in *, comma-separated'}),
    project: field('Project', inputs.project),
    sql: field('CESQL filter', inputs.sql, {className: 'wide', help: 'A CloudEvents SQL expression'}),
  };
  const follow = h('button', {type: 'submit', id: 'tail-follow'}, 'Follow');
  const pause = h('button', {type: 'button', class: 'secondary', id: 'tail-pause', disabled: true}, 'Pause');
  const clear = h('button', {type: 'button', class: 'secondary'}, 'Clear');
  const form = h('form', {class: 'panel filters', 'aria-label': 'Tail filters'},
    fields.types, fields.project, fields.sql, h('div', {class: 'actions'}, follow, pause, clear));
  const status = h('p', {class: 'status-line', role: 'status', id: 'tail-status'}, 'Not following yet.');
  const errors = h('div');
  const body = h('tbody', {id: 'tail-rows'});
  const rows = h('div', {class: 'table-wrap'}, h('table', {'aria-label': 'Arrived events, newest first'},
    h('thead', null, h('tr', null, ['Time', 'Type', 'Project', 'Subject', 'ID'].map(t => h('th', {scope: 'col'}, t)))), body));
  const commands = h('div');
  main.append(h('h1', null, 'Live tail'), form, errors, status, rows, h('h2', null, 'The same tail elsewhere'), commands);

  const state = {subscription: null, controller: null, paused: false, seen: new Set(), pendingAcks: [], count: 0, ackTimer: null};

  const ackNow = async () => {
    if (!state.subscription || !state.pendingAcks.length) return;
    const ids = state.pendingAcks.splice(0);
    try {
      await post(`/v1/subscriptions/${enc(state.subscription)}/acks`, {ids});
    } catch {
      // unacked events are sent again; the page drops them as duplicates
    }
  };

  const connect = () => {
    const controller = new AbortController();
    state.controller = controller;
    readStream(`/v1/subscriptions/${enc(state.subscription)}/stream`, {
      signal: controller.signal,
      onOpen: () => { status.textContent = `Following · ${state.count} events so far.`; },
      onMessage: message => arrive(JSON.parse(message.data)),
    }).then(() => {
      if (!controller.signal.aborted) status.textContent = 'The server ended the stream. Press Follow to start again.';
    }).catch(error => {
      if (!isAbort(error)) errors.replaceChildren(alertBox('error', 'The stream failed', [error.message]));
    });
  };

  const arrive = event => {
    state.pendingAcks.push(event.id);
    if (state.seen.has(event.id)) return;
    state.seen.add(event.id);
    state.count += 1;
    const row = h('tr', {class: 'arrived', 'data-event-id': event.id},
      h('td', {class: 'mono'}, formatTime(event.time)),
      h('td', null, h('a', {href: `#/events/${encodeURIComponent(event.id)}`}, event.type)),
      h('td', {class: 'mono'}, event.project ?? '—'),
      h('td', {class: 'mono'}, event.subject ?? '—'),
      h('td', {class: 'mono'}, event.id));
    body.prepend(row);
    while (body.children.length > MAX_ROWS) body.lastElementChild.remove();
    status.textContent = `Following · ${state.count} events so far.`;
  };

  const stop = async () => {
    state.controller?.abort();
    clearInterval(state.ackTimer);
    await ackNow();
    const id = state.subscription;
    state.subscription = null;
    if (id) {
      try {
        await del(`/v1/subscriptions/${enc(id)}`, {keepalive: true});
      } catch {
        // already gone (the server deletes idle ephemeral subscriptions)
      }
    }
  };

  form.addEventListener('submit', async event => {
    event.preventDefault();
    Object.values(fields).forEach(f => f.fieldError(null));
    errors.replaceChildren();
    await stop();
    const types = inputs.type.value.split(',').map(t => t.trim()).filter(Boolean);
    const filters = [];
    if (inputs.project.value.trim()) filters.push({exact: {project: inputs.project.value.trim()}});
    if (inputs.sql.value.trim()) filters.push({sql: inputs.sql.value.trim()});
    try {
      const created = await post('/v1/subscriptions', {protocol: 'PULL', ephemeral: true, types, filters,
        delivery: {startAt: 'latest'}});
      state.subscription = created.id;
    } catch (error) {
      showProblem(error, fields, errors, filters);
      return;
    }
    state.paused = false;
    pause.disabled = false;
    pause.textContent = 'Pause';
    state.ackTimer = setInterval(ackNow, ACK_EVERY_MS);
    status.textContent = 'Connecting…';
    connect();
    commands.replaceChildren(commandBlock('herald CLI', cliCommand(types, inputs.project.value.trim(), inputs.sql.value.trim())));
  });

  // Pausing pauses the subscription on the server: the stream stays open, new events wait in its
  // backlog and arrive on resume (nothing is lost, nothing is handed to a closing connection).
  pause.addEventListener('click', async () => {
    if (!state.subscription) return;
    pause.disabled = true;
    try {
      if (!state.paused) {
        await post(`/v1/subscriptions/${enc(state.subscription)}/pause`);
        state.paused = true;
        pause.textContent = 'Resume';
        status.textContent = `Paused · ${state.count} events so far. New events wait on the server until you resume.`;
      } else {
        await post(`/v1/subscriptions/${enc(state.subscription)}/resume`);
        state.paused = false;
        pause.textContent = 'Pause';
        status.textContent = `Following · ${state.count} events so far.`;
      }
    } catch (error) {
      errors.replaceChildren(alertBox('error', state.paused ? 'Resume failed' : 'Pause failed', [error.message]));
    } finally {
      pause.disabled = false;
    }
  });
  clear.addEventListener('click', () => {
    body.replaceChildren();
    state.count = 0;
    status.textContent = state.subscription ? (state.paused ? 'Paused.' : 'Following · 0 events so far.') : 'Not following yet.';
  });

  if (params.get('follow') !== 'false') form.requestSubmit();
  return () => { stop(); };
}

function showProblem(error, fields, errors, filters) {
  if (!(error instanceof ApiError)) {
    errors.replaceChildren(alertBox('error', 'Cannot follow', [error.message]));
    return;
  }
  const sqlIndex = filters.findIndex(f => f.sql !== undefined);
  const unplaced = [];
  for (const violation of error.violations) {
    const where = violation.where ?? '';
    if (where.startsWith('types')) fields.types.fieldError(violation.rule);
    else if (sqlIndex >= 0 && where.startsWith(`filters[${sqlIndex}]`)) fields.sql.fieldError(violation.rule);
    else if (where.startsWith('filters')) fields.project.fieldError(violation.rule);
    else unplaced.push(`${where}: ${violation.rule}`);
  }
  errors.replaceChildren(alertBox('error', `${error.status} ${error.problem.title ?? 'Error'}`, [error.message, ...unplaced]));
}

function cliCommand(types, project, sql) {
  const parts = [`HERALD_SERVER=${serverUrl()} herald tail`];
  types.filter(t => t !== '*').forEach(t => parts.push(`--type ${shellQuote(t)}`));
  if (project) parts.push(`--project ${shellQuote(project)}`);
  if (sql) parts.push(`--sql ${shellQuote(sql)}`);
  return parts.join(' ');
}
