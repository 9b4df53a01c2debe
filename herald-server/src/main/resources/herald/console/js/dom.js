// Small DOM helpers. Everything is built with createElement and text nodes: no innerHTML, so event
// data (which anyone with a publish scope controls) can never become markup.

/** h('a', {href: '#/x', class: 'c', onclick: fn}, 'text', childNode, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (name === 'value') el.value = value;
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A labelled form field: <div class="field"><label for=id>…</label><input id=id …><p error></p></div>. */
export function field(label, control, {help, className} = {}) {
  const id = control.id || (control.id = uid(control.name || 'f'));
  const error = h('p', {class: 'field-error', id: `${id}-error`, hidden: true, 'aria-live': 'polite'});
  const described = [];
  let helpEl = null;
  if (help) {
    helpEl = h('p', {class: 'field-help', id: `${id}-help`}, help);
    described.push(helpEl.id);
  }
  described.push(error.id);
  control.setAttribute('aria-describedby', described.join(' '));
  const wrapper = control.type === 'checkbox'
    ? h('div', {class: `field check ${className ?? ''}`}, control, h('label', {for: id}, label), helpEl, error)
    : h('div', {class: `field ${className ?? ''}`}, h('label', {for: id}, label), control, helpEl, error);
  wrapper.fieldError = message => {
    error.hidden = !message;
    error.textContent = message ?? '';
    if (message) control.setAttribute('aria-invalid', 'true'); else control.removeAttribute('aria-invalid');
  };
  wrapper.control = control;
  return wrapper;
}

let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** An alert box; kind is error, ok or warn. Errors are announced (role=alert). */
export function alertBox(kind, title, items = []) {
  return h('div', {class: `alert ${kind}`, role: kind === 'error' ? 'alert' : 'status'},
    h('strong', null, title),
    items.length ? h('ul', null, items.map(item => h('li', null, item))) : null);
}

/** A button that copies text to the clipboard, saying so in its label for a moment. */
export function copyButton(label, text) {
  const button = h('button', {type: 'button', class: 'secondary small'}, label);
  button.addEventListener('click', async () => {
    const value = typeof text === 'function' ? text() : text;
    let copied = false;
    try {
      await navigator.clipboard.writeText(value);
      copied = true;
    } catch {
      copied = false; // no clipboard permission: the text is on the page to select by hand
    }
    const original = label;
    button.textContent = copied ? 'Copied' : 'Select the text to copy';
    setTimeout(() => { button.textContent = original; }, 1500);
  });
  return button;
}

/** A command shown on the page with a copy button. */
export function commandBlock(title, command) {
  return h('div', {class: 'command-block'},
    h('div', {class: 'actions'}, h('strong', null, title), copyButton(`Copy ${title}`, command)),
    h('pre', {class: 'command'}, command));
}

export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function formatNumber(n) {
  return n == null ? '—' : Number(n).toLocaleString('en-US', {maximumFractionDigits: 1});
}

/** Shell quoting for the copyable commands. */
export function shellQuote(value) {
  const text = String(value);
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/** A button that acts only on a second press, for destructive actions (no modal dialogs). */
export function confirmButton(label, confirmLabel, action, {className = 'danger small'} = {}) {
  const button = h('button', {type: 'button', class: className}, label);
  let armed = false;
  let timer = null;
  button.addEventListener('click', async () => {
    if (!armed) {
      armed = true;
      button.textContent = confirmLabel;
      timer = setTimeout(() => { armed = false; button.textContent = label; }, 4000);
      return;
    }
    clearTimeout(timer);
    armed = false;
    button.disabled = true;
    try {
      await action();
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
  return button;
}

export function table(headers, rows, {caption} = {}) {
  return h('div', {class: 'table-wrap'}, h('table', null,
    caption ? h('caption', {class: 'muted'}, caption) : null,
    h('thead', null, h('tr', null, headers.map(header => typeof header === 'string'
      ? h('th', {scope: 'col'}, header) : h('th', {scope: 'col', class: header.class}, header.label)))),
    h('tbody', null, rows)));
}
