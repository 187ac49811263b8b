import { join, resolve } from 'node:path';

/**
 * Where the renderer is loaded from: electron-vite's dev server during
 * `electron-vite dev` (it sets ELECTRON_RENDERER_URL), the built index.html
 * otherwise. This is also the only place the renderer is trusted.
 */
export type RendererLocation = { kind: 'dev'; url: string } | { kind: 'file'; indexPath: string };

export function rendererLocation(
  env: Readonly<Record<string, string | undefined>>,
  appRoot: string,
): RendererLocation {
  const devUrl = env['ELECTRON_RENDERER_URL'];
  if (devUrl) {
    const url = new URL(devUrl);
    // The dev server is ours only on this machine; anything else would be remote content.
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (!local || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new Error('ELECTRON_RENDERER_URL must be an http(s) URL on localhost.');
    }
    return { kind: 'dev', url: url.href };
  }
  return { kind: 'file', indexPath: resolve(join(appRoot, 'out', 'renderer', 'index.html')) };
}
