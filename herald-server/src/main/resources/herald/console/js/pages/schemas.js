// Schemas: the catalog, each type's versions rendered readably with their examples, and a diff
// between two versions with the compatibility verdict of each mode (the registry's own checker).

import {enc, get, query} from '../api.js';
import {navigate} from '../app.js';
import {field, h, table} from '../dom.js';
import {jsonTree} from '../json-tree.js';

export async function render(main, {args, params}) {
  if (!args[0]) return catalog(main);
  return typePage(main, args[0], params);
}

async function catalog(main) {
  const {types} = await get('/v1/schemas');
  main.append(h('h1', null, 'Schemas'),
    h('p', {class: 'muted'}, `${types.length} event types. Every event is validated against its type's schema before it is stored.`),
    table(['Type', 'Title', 'Latest', 'Versions'], types.map(t => h('tr', null,
      h('td', null, h('a', {href: `#/schemas/${encodeURIComponent(t.type)}`}, t.type)),
      h('td', null, t.versions[t.versions.length - 1]?.title ?? ''),
      h('td', null, h('a', {href: `#/schemas/${encodeURIComponent(t.type)}?v=${t.latest}`}, `v${t.latest}`)),
      h('td', null, t.versions.map(v => `v${v.version}`).join(', '))))));
}

async function typePage(main, type, params) {
  const info = await get(`/v1/schemas/${enc(type)}`);
  const version = Number(params.get('v') ?? info.latest);
  const selected = info.versions.find(v => v.version === version) ?? info.versions[info.versions.length - 1];
  const schema = await get(`/v1/schemas/${enc(type)}/v${selected.version}`);
  main.append(h('h1', null, type),
    h('nav', {class: 'tabs', 'aria-label': 'Versions'}, info.versions.map(v => h('a', {
      href: `#/schemas/${encodeURIComponent(type)}?v=${v.version}`, 'aria-current': v.version === selected.version ? 'true' : null,
    }, `v${v.version}`))),
    h('section', {class: 'panel', 'aria-labelledby': 'schema-title'},
      h('h2', {id: 'schema-title'}, `v${selected.version}${schema.title ? ` — ${schema.title}` : ''}`),
      schema.description ? h('p', null, schema.description) : null,
      h('p', {class: 'mono'}, h('a', {href: selected.uri}, selected.uri)),
      selected.aliases.length ? h('p', {class: 'muted'}, `Also accepted as: ${selected.aliases.join(', ')}`) : null,
      h('h3', null, 'Fields'), properties(schema),
      h('h3', null, 'Examples'),
      Array.isArray(schema.examples) && schema.examples.length
        ? schema.examples.map((example, i) => jsonTree(example, {label: `example ${i + 1}`, openDepth: 2}))
        : h('p', {class: 'muted'}, 'This version has no examples.'),
      h('details', null, h('summary', null, 'The schema document (JSON)'), jsonTree(schema, {label: null, openDepth: 1}))));
  if (info.versions.length > 1) main.append(await diffSection(type, info, params));
}

/** The properties of a schema as a table: nested objects and arrays of objects indented with their path. */
function properties(schema) {
  const rows = [];
  walk(schema, '', rows, 0);
  if (!rows.length) return h('p', {class: 'muted'}, 'No declared fields.');
  return table(['Field', 'Type', 'Required', 'Rules', 'Description'], rows);
}

function walk(schema, prefix, rows, depth) {
  if (!schema || typeof schema !== 'object' || depth > 8) return;
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    rows.push(h('tr', null,
      h('td', {class: 'mono'}, path),
      h('td', null, typeOf(property)),
      h('td', null, required.has(name) ? 'yes' : ''),
      h('td', {class: 'mono'}, rules(property)),
      h('td', null, property.description ?? property.title ?? '')));
    walk(property, path, rows, depth + 1);
    if (property.items) walk(property.items, `${path}[]`, rows, depth + 1);
  }
}

function typeOf(property) {
  if (property.$ref) return `→ ${property.$ref}`;
  const type = [property.type].flat().filter(Boolean).join(' | ') || (property.enum ? 'enum' : property.const !== undefined ? 'const' : 'any');
  return type === 'array' && property.items?.type ? `array of ${[property.items.type].flat().join(' | ')}` : type;
}

function rules(property) {
  const shown = [];
  for (const key of ['format', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems']) {
    if (property[key] !== undefined) shown.push(`${key}: ${property[key]}`);
  }
  if (property.enum) shown.push(`one of ${property.enum.map(v => JSON.stringify(v)).join(', ')}`);
  if (property.const !== undefined) shown.push(`= ${JSON.stringify(property.const)}`);
  if (property.additionalProperties === false) shown.push('no other fields');
  return shown.join('; ');
}

async function diffSection(type, info, params) {
  const versions = info.versions.map(v => v.version);
  const to = Number(params.get('to') ?? versions[versions.length - 1]);
  const from = Number(params.get('from') ?? versions[versions.length - 2]);
  const pick = (name, value) => h('select', {name, id: `diff-${name}`}, versions.map(v => h('option', {value: v, selected: v === value}, `v${v}`)));
  const fromSelect = pick('from', from);
  const toSelect = pick('to', to);
  const form = h('form', {class: 'filters', 'aria-label': 'Compare versions'},
    field('From', fromSelect), field('To', toSelect), h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Compare')));
  form.addEventListener('submit', event => {
    event.preventDefault();
    navigate(`schemas/${encodeURIComponent(type)}`, {v: params.get('v'), from: fromSelect.value, to: toSelect.value});
  });
  const section = h('section', {class: 'panel', 'aria-labelledby': 'diff-title', id: 'diff'}, h('h2', {id: 'diff-title'}, 'Compare versions'), form);
  const [older, newer, verdict] = await Promise.all([
    get(`/v1/schemas/${enc(type)}/v${from}`), get(`/v1/schemas/${enc(type)}/v${to}`),
    get(`/v1/schemas/${enc(type)}/compatibility${query({from, to})}`)]);
  section.append(
    h('h3', null, `Compatibility of v${from} → v${to}`),
    table(['Mode', 'Verdict', 'Why'], Object.entries(verdict.verdicts).map(([mode, result]) => h('tr', {'data-mode': mode},
      h('td', null, mode, mode === verdict.enforced ? h('span', {class: 'muted'}, ' (enforced by this registry)') : null),
      h('td', null, h('span', {class: `badge ${result.compatible ? 'ok' : 'bad'}`}, result.compatible ? 'compatible' : 'incompatible')),
      h('td', null, result.incompatibilities.length
        ? h('ul', null, result.incompatibilities.map(i => h('li', {class: 'mono'}, `${i.pointer || '(root)'}: ${i.reason}`))) : '—')))),
    h('h3', null, `Changes from v${from} to v${to}`), changes(older, newer));
  return section;
}

/** A structural diff: every leaf of both documents by JSON pointer (annotations included). */
function changes(older, newer) {
  const a = flatten(older);
  const b = flatten(newer);
  const rows = [];
  for (const pointer of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const before = a.get(pointer);
    const after = b.get(pointer);
    if (before === after) continue;
    const kind = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
    rows.push(h('tr', {class: `diff-${kind}`}, h('td', null, kind), h('td', {class: 'mono'}, pointer),
      h('td', {class: 'mono'}, before ?? ''), h('td', {class: 'mono'}, after ?? '')));
  }
  return rows.length ? table(['Change', 'Where', 'Before', 'After'], rows) : h('p', {class: 'muted'}, 'The two versions are identical.');
}

function flatten(value, pointer = '', out = new Map()) {
  if (value !== null && typeof value === 'object' && Object.keys(value).length) {
    for (const [key, child] of Object.entries(value)) {
      flatten(child, `${pointer}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`, out);
    }
  } else {
    out.set(pointer || '/', JSON.stringify(value));
  }
  return out;
}
