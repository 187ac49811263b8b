import type { Session, WebContents } from 'electron';
import { APP_ORIGIN } from './appProtocol';
import type { RendererLocation } from './rendererLocation';

/**
 * The renderer's Content Security Policy (Electron security checklist #7,
 * "Define a Content Security Policy"). Scripts and styles come only from the
 * app's own files, so injected markup in message content can neither run nor
 * restyle; the renderer talks to the core over IPC, never over the network.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  // Audio and video files play from object URLs of bytes the core decrypted (FileMedia).
  'media-src blob:',
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The policy for where the renderer is loaded from. Vite's dev server needs
 * inline scripts (the React Refresh preamble), inline styles (CSS modules are
 * injected as <style>) and its HMR WebSocket; the built app needs none of them.
 */
export function contentSecurityPolicy(renderer: RendererLocation): string {
  if (renderer.kind === 'app') return CONTENT_SECURITY_POLICY;
  const origin = new URL(renderer.url);
  const ws = `${origin.protocol === 'https:' ? 'wss:' : 'ws:'}//${origin.host}`;
  return CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    .replace("connect-src 'self'", `connect-src 'self' ${ws}`);
}

/** Notifications for new messages; every other web permission is denied, but the camera below. */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['notifications']);

/** What Electron tells about a media request (`mediaTypes`) or check (`mediaType`). */
export interface MediaDetails {
  mediaTypes?: readonly string[];
  mediaType?: string;
}

/**
 * The camera, and only the camera, for scanning an invite's QR code (issue
 * #17 item 18): 'media' with every requested type 'video'. A microphone, a
 * screen capture or an unstated media type stays denied.
 */
export function isAllowedPermission(permission: string, details: MediaDetails = {}): boolean {
  if (permission === 'media') {
    const types = details.mediaTypes ?? (details.mediaType !== undefined ? [details.mediaType] : []);
    return types.length > 0 && types.every((t) => t === 'video');
  }
  return ALLOWED_PERMISSIONS.has(permission);
}

/** True only for our renderer: the dev server's origin, or the app's own app://parley origin. */
export function isTrustedUrl(url: string | undefined, renderer: RendererLocation): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (renderer.kind === 'dev') {
    // URL.origin is "null" for opaque origins (about:, data:, file:), which never equals a dev origin.
    return parsed.origin !== 'null' && parsed.origin === new URL(renderer.url).origin;
  }
  // app://parley (appProtocol.ts). Node's URL gives custom schemes an opaque origin, so the
  // scheme and host are compared; Chromium, where the scheme is registered standard, agrees.
  return `${parsed.protocol}//${parsed.host}` === APP_ORIGIN && parsed.username === '' && parsed.port === '';
}

/** Links that may be handed to the OS browser: web pages only, never file:, smb:, custom schemes. */
export function isExternalLink(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.hostname !== '';
  } catch {
    return false;
  }
}

type ResponseHeaders = Record<string, string | string[]>;

/** Adds our policy to a response's headers. A policy the server sent is kept: browsers enforce both. */
export function withCsp(headers: ResponseHeaders | undefined, csp: string): ResponseHeaders {
  const merged: ResponseHeaders = { ...headers };
  const existing = Object.keys(merged).find((key) => key.toLowerCase() === 'content-security-policy');
  if (existing === undefined) {
    merged['Content-Security-Policy'] = [csp];
  } else {
    const value = merged[existing];
    merged[existing] = [...(Array.isArray(value) ? value : value === undefined ? [] : [value]), csp];
  }
  return merged;
}

/**
 * Session-wide rules for the renderer's session: the CSP header on every
 * response, and permissions denied unless allowed and asked for by our renderer
 * (checklist #5, "Handle session permission requests from remote content").
 */
export function secureSession(session: Session, renderer: RendererLocation): void {
  const csp = contentSecurityPolicy(renderer);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders, csp) });
  });
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const media: MediaDetails = 'mediaTypes' in details ? { mediaTypes: details.mediaTypes ?? [] } : {};
    callback(isAllowedPermission(permission, media) && isTrustedUrl(details.requestingUrl, renderer));
  });
  session.setPermissionCheckHandler((contents, permission, _origin, details) => {
    const url = details.requestingUrl ?? contents?.getURL();
    return isAllowedPermission(permission, details) && isTrustedUrl(url, renderer);
  });
}

/**
 * Rules for every web contents the app creates: no navigation away from the
 * renderer (checklist #13), no new windows (#14) and web links handed to
 * `openLink` (#15: it opens only http(s), after the user confirmed;
 * externalLinks.ts), no <webview> (#12).
 */
export function secureWebContents(contents: WebContents, openLink: (url: string) => Promise<void>): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // A failure to launch a browser is not the renderer's business; there is nothing to undo.
    openLink(url).catch(() => undefined);
    return { action: 'deny' };
  });
}
