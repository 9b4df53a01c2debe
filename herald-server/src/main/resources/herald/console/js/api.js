// The console's only way to the server: the public /v1 API, with the signed-in token.
// The token lives in this tab's sessionStorage: never in a URL, a cookie or localStorage.

const TOKEN_KEY = 'herald.token';
let onUnauthorized = () => {};

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  signIn(token) { sessionStorage.setItem(TOKEN_KEY, token); },
  signOut() { sessionStorage.removeItem(TOKEN_KEY); },
  whenUnauthorized(handler) { onUnauthorized = handler; },
};

/** An RFC 9457 problem answered by the API. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
    this.violations = problem?.violations ?? [];
  }
}

export function authHeaders(extra = {}) {
  const headers = {Accept: 'application/json', ...extra};
  const token = session.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

export async function request(method, path, body, {signal, keepalive} = {}) {
  const headers = authHeaders();
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, {method, headers, body: payload, signal, keepalive,
    cache: 'no-store', credentials: 'omit', redirect: 'error'});
  return read(response);
}

export async function read(response) {
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      problem = null;
    }
    if (response.status === 401) onUnauthorized(problem);
    throw new ApiError(response.status, problem);
  }
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') ?? '';
  return type.includes('json') ? response.json() : response.text();
}

export const get = (path, options) => request('GET', path, undefined, options);
export const post = (path, body, options) => request('POST', path, body ?? {}, options);
export const put = (path, body) => request('PUT', path, body);
export const del = (path, options) => request('DELETE', path, undefined, options);

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value != null && value !== '') search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const enc = encodeURIComponent;

/**
 * Every event matching a query, following cursors while the server says more are stored, up to
 * maxEvents (the scan per request is bounded by the server's query.max-scan).
 */
export async function findEvents(params, {maxEvents = 200, maxPages = 50} = {}) {
  const found = [];
  let cursor = '';
  for (let page = 0; page < maxPages && found.length < maxEvents; page++) {
    // A full page each time: the id and chain filters are applied to each page, so a small limit would crawl.
    const answer = await get(`/v1/events${query({...params, cursor, limit: 1000})}`);
    found.push(...answer.events);
    if (!answer.more) break;
    cursor = answer.cursor;
  }
  return found.slice(0, maxEvents);
}

/** The server's base URL, for the copyable curl and herald commands. */
export const serverUrl = () => window.location.origin;
