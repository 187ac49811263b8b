import { readFile } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';

/**
 * The renderer's own scheme, `app://parley/…`, instead of `file://` (Electron
 * security checklist #18, "Avoid usage of the file:// protocol and prefer
 * usage of custom protocols"). Under file:// every local file shares the
 * page's origin and the fuse GrantFileProtocolExtraPrivileges would be
 * needed; here the page has a real origin of its own (so 'self' in the CSP
 * means exactly the app's files), and the handler serves only files inside
 * out/renderer.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'parley';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * For `protocol.registerSchemesAsPrivileged` before the app is ready:
 * standard (URLs resolve like http's, the origin is app://parley) and secure
 * (a secure context, like https), with fetch and code caching.
 */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
} as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** The file an app:// URL names inside `dir`, or null (another host, outside the folder, not a URL). */
export function resolveAppRequest(url: string, dir: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const root = resolve(dir);
  const file = resolve(join(root, path === '/' ? 'index.html' : path));
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith('..') || inside.split(sep).includes('..')) return null;
  return file;
}

/** The `protocol.handle('app', …)` handler: the file with its type and the CSP, or 404. */
export function appProtocolHandler(dir: string, csp: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const file = resolveAppRequest(request.url, dir);
    const headers = { 'x-content-type-options': 'nosniff', 'content-security-policy': csp };
    if (!file || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return new Response('Not found', { status: 404, headers });
    }
    try {
      const body = await readFile(file);
      return new Response(request.method === 'HEAD' ? null : body, {
        status: 200,
        headers: {
          ...headers,
          'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        },
      });
    } catch {
      return new Response('Not found', { status: 404, headers });
    }
  };
}
