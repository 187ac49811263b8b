import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export interface StaticFile {
  body: Buffer;
  type: string;
  /** index.html is never cached: it names the hashed bundles of this build. */
  cacheable: boolean;
}

/**
 * Resolves a URL path inside the built renderer folder, refusing anything
 * that would escape it, and falls back to index.html for app routes.
 */
export async function loadStaticFile(root: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = resolve(root);
  const candidate = resolve(join(base, normalize(decoded)));
  if (candidate !== base && !candidate.startsWith(base + sep)) return null;
  const file = await fileOrIndex(base, candidate);
  if (!file) return null;
  const ext = extname(file);
  return {
    body: await readFile(file),
    type: TYPES[ext] ?? 'application/octet-stream',
    cacheable: ext !== '.html',
  };
}

async function fileOrIndex(base: string, candidate: string): Promise<string | null> {
  try {
    const s = await stat(candidate);
    if (s.isFile()) return candidate;
  } catch {
    /* fall through */
  }
  // Unknown paths without an extension are app routes; asset paths that miss stay 404.
  if (extname(candidate) !== '') return null;
  const index = join(base, 'index.html');
  try {
    return (await stat(index)).isFile() ? index : null;
  } catch {
    return null;
  }
}
