// The HTTP API as the console uses it: every request carries the session's basic credentials,
// and every failure becomes an ApiError holding the server's "reason".

const STORAGE_KEY = 'wharf.session';

/** An API answer outside 2xx, or a request that never got an answer. */
export class ApiError extends Error {
  constructor(status, error, reason, field) {
    super(reason || error || `HTTP ${status}`);
    this.status = status;
    this.error = error;
    this.reason = reason;
    this.field = field;
  }
}

/** The signed-in user, or null. */
export function session() {
  const stored = sessionStorage.getItem(STORAGE_KEY);
  return stored ? JSON.parse(stored) : null;
}

function basic(user, password) {
  // btoa takes Latin-1 only; encode as UTF-8 first so any password can be sent.
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return 'Basic ' + btoa(String.fromCharCode(...bytes));
}

/** Checks the credentials with GET /api/whoami and keeps them for this tab. */
export async function login(user, password) {
  const authorization = basic(user, password);
  const me = await request('GET', 'api/whoami', undefined, authorization);
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ user: me.name || user, tags: me.tags, authorization }));
  return me;
}

export function logout() {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Percent-encodes one path segment: the default vhost "/" becomes %2F. */
export function seg(name) {
  return encodeURIComponent(name);
}

/** Builds an API path from literal parts and names to encode: path`queues/${vhost}/${name}`. */
export function path(strings, ...names) {
  return 'api/' + strings.reduce((out, s, i) => out + s + (i < names.length ? seg(names[i]) : ''), '');
}

export const get = (url) => request('GET', url);
export const put = (url, body) => request('PUT', url, body);
export const post = (url, body) => request('POST', url, body);
export const del = (url, headers) => request('DELETE', url, undefined, undefined, headers);

async function request(method, url, body, authorization, extraHeaders) {
  const headers = {
    Accept: 'application/json',
    // Without it the server would answer 401 with WWW-Authenticate and the browser would pop
    // up its own login dialog over the console's.
    'X-Requested-With': 'XMLHttpRequest',
    ...extraHeaders,
  };
  const auth = authorization || session()?.authorization;
  if (auth) {
    headers.Authorization = auth;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError(0, 'unreachable', `The broker did not answer (${e.message}).`);
  }
  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!response.ok) {
    throw new ApiError(response.status, json?.error, json?.reason || text || response.statusText, json?.field);
  }
  return json;
}
