import { join, resolve } from 'node:path';
import { APP_ORIGIN } from './appProtocol';

/**
 * Where the renderer is loaded from: electron-vite's dev server during
 * `electron-vite dev` (it sets ELECTRON_RENDERER_URL), the built files under
 * the app's own `app://parley/` scheme otherwise (appProtocol.ts), never
 * `file://`. This is also the only place the renderer is trusted.
 */
export type RendererLocation =
  | { kind: 'dev'; url: string }
  /** `url` is app://parley/index.html; `dir` the folder its files are served from. */
  | { kind: 'app'; url: string; dir: string };

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
  return { kind: 'app', url: `${APP_ORIGIN}/index.html`, dir: resolve(join(appRoot, 'out', 'renderer')) };
}
