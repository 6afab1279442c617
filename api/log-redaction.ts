/**
 * What the API writes to its log about a request: method, path and client, with the secrets a URL can carry cut out.
 * A personal upload link is the director's key (/levering/<token>, /api/uploads/<token>), so its token is never logged;
 * query strings are dropped. Headers (cookies, bearer keys) and bodies (passwords, files) are never logged at all.
 */
export function redactUrl(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.replace(/^\/(levering|api\/uploads)\/[^/]+/, '/$1/[token]');
}

export const requestSerializers = {
  req(request: { method: string; url: string; ip?: string; id?: string }) {
    return { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip, id: request.id };
  },
};
