import type { Session, WebContents } from 'electron';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openExternalLink } from './externalLinks';
import { describe, expect, it } from 'vitest';
import { rendererLocation, type RendererLocation } from './rendererLocation';
import {
  CONTENT_SECURITY_POLICY,
  contentSecurityPolicy,
  isAllowedPermission,
  isExternalLink,
  isTrustedUrl,
  secureSession,
  secureWebContents,
  withCsp,
} from './security';

const ROOT = resolve('/opt/parley');
const INDEX = join(ROOT, 'out', 'renderer', 'index.html');
const FILE: RendererLocation = {
  kind: 'app',
  url: 'app://parley/index.html',
  dir: join(ROOT, 'out', 'renderer'),
};
const DEV: RendererLocation = { kind: 'dev', url: 'http://localhost:5173/' };

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe('rendererLocation', () => {
  it('loads the built files from app://parley unless electron-vite gives a dev server URL', () => {
    expect(rendererLocation({}, ROOT)).toEqual(FILE);
    expect(rendererLocation({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, ROOT)).toEqual(DEV);
    expect(rendererLocation({ ELECTRON_RENDERER_URL: '' }, ROOT)).toEqual(FILE);
  });

  it.each(['https://evil.example/', 'http://192.168.1.9:5173/', 'file:///tmp/x.html', 'not a url'])(
    'refuses to treat %s as the dev server',
    (url) => {
      expect(() => rendererLocation({ ELECTRON_RENDERER_URL: url }, ROOT)).toThrow();
    },
  );
});

describe('content security policy', () => {
  it('is strict for the built app', () => {
    const d = directives(CONTENT_SECURITY_POLICY);
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('style-src')).toEqual(["'self'"]);
    expect(d.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|\*/);
    expect(contentSecurityPolicy(FILE)).toBe(CONTENT_SECURITY_POLICY);
  });

  it("relaxes only what Vite's dev server needs, and only in dev", () => {
    const d = directives(contentSecurityPolicy(DEV));
    expect(d.get('script-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(d.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(d.get('connect-src')).toEqual(["'self'", 'ws://localhost:5173']);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(contentSecurityPolicy(DEV)).not.toMatch(/unsafe-eval|\*/);
  });

  it('adds the policy to response headers and keeps one the server sent', () => {
    expect(withCsp(undefined, 'x')).toEqual({ 'Content-Security-Policy': ['x'] });
    expect(withCsp({ 'Content-Type': ['text/html'] }, 'x')).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': ['x'],
    });
    expect(withCsp({ 'content-security-policy': ["default-src 'none'"] }, 'x')).toEqual({
      'content-security-policy': ["default-src 'none'", 'x'],
    });
  });
});

describe('isAllowedPermission', () => {
  it('allows notifications and nothing else', () => {
    expect(isAllowedPermission('notifications')).toBe(true);
    for (const p of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'hid', 'usb', 'unknown', '']) {
      expect(isAllowedPermission(p), p).toBe(false);
    }
  });

  it('allows the camera alone (scanning an invite QR code), never the microphone or an unstated type', () => {
    expect(isAllowedPermission('media', { mediaTypes: ['video'] })).toBe(true);
    expect(isAllowedPermission('media', { mediaType: 'video' })).toBe(true);
    expect(isAllowedPermission('media', { mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(isAllowedPermission('media', { mediaTypes: ['audio'] })).toBe(false);
    expect(isAllowedPermission('media', { mediaType: 'audio' })).toBe(false);
    expect(isAllowedPermission('media', { mediaType: 'unknown' })).toBe(false);
    expect(isAllowedPermission('media', { mediaTypes: [] })).toBe(false);
    expect(isAllowedPermission('media', {})).toBe(false);
  });
});

describe('isTrustedUrl', () => {
  it('trusts exactly the app://parley origin, never file:', () => {
    expect(isTrustedUrl('app://parley/index.html', FILE)).toBe(true);
    expect(isTrustedUrl('app://parley/index.html#/chats/1', FILE)).toBe(true);
    expect(isTrustedUrl('app://parley/assets/x.js', FILE)).toBe(true);
    // The built index.html as a file URL is no longer the renderer.
    expect(isTrustedUrl(pathToFileURL(INDEX).href, FILE)).toBe(false);
    expect(isTrustedUrl('app://parley.evil/index.html', FILE)).toBe(false);
    expect(isTrustedUrl('app://other/index.html', FILE)).toBe(false);
    expect(isTrustedUrl('app://user@parley/index.html', FILE)).toBe(false);
    expect(isTrustedUrl('app://parley:8080/index.html', FILE)).toBe(false);
    expect(isTrustedUrl('http://localhost:5173/', FILE)).toBe(false);
  });

  it('trusts exactly the dev server origin', () => {
    expect(isTrustedUrl('http://localhost:5173/', DEV)).toBe(true);
    expect(isTrustedUrl('http://localhost:5173/src/main.tsx?x=1', DEV)).toBe(true);
    expect(isTrustedUrl('http://localhost:5174/', DEV)).toBe(false);
    expect(isTrustedUrl('https://localhost:5173/', DEV)).toBe(false);
    expect(isTrustedUrl('http://127.0.0.1:5173/', DEV)).toBe(false);
    expect(isTrustedUrl('http://localhost:5173.evil.example/', DEV)).toBe(false);
  });

  it.each([
    undefined,
    '',
    'about:blank',
    'data:text/html,<b>x</b>',
    'javascript:alert(1)',
    'not a url',
    'null',
  ])('never trusts %j', (url) => {
    expect(isTrustedUrl(url, FILE)).toBe(false);
    expect(isTrustedUrl(url, DEV)).toBe(false);
  });
});

describe('isExternalLink', () => {
  it('hands only http(s) web pages to the OS browser', () => {
    expect(isExternalLink('https://example.org/a?b#c')).toBe(true);
    expect(isExternalLink('http://example.org')).toBe(true);
    for (const url of [
      'file:///etc/passwd',
      'smb://host/share',
      'javascript:alert(1)',
      'mailto:a@b.c',
      'ms-msdt:/id',
      'parley://x',
      'data:text/html,x',
      'https://',
      'nonsense',
    ]) {
      expect(isExternalLink(url), url).toBe(false);
    }
  });
});

describe('secureSession', () => {
  type HeadersListener = (
    details: { url: string; responseHeaders?: Record<string, string[]> },
    callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void,
  ) => void;
  type RequestHandler = (wc: unknown, permission: string, cb: (ok: boolean) => void, details: object) => void;
  type CheckHandler = (wc: unknown, permission: string, origin: string, details: object) => boolean;

  function install(renderer: RendererLocation) {
    const captured: { headers?: HeadersListener; request?: RequestHandler; check?: CheckHandler } = {};
    const fake = {
      webRequest: { onHeadersReceived: (l: HeadersListener) => (captured.headers = l) },
      setPermissionRequestHandler: (h: RequestHandler) => (captured.request = h),
      setPermissionCheckHandler: (h: CheckHandler) => (captured.check = h),
    };
    secureSession(fake as unknown as Session, renderer);
    const { headers, request, check } = captured;
    if (!headers || !request || !check) throw new Error('a handler was not installed');
    const ask = (permission: string, requestingUrl: string) => {
      let answer: boolean | undefined;
      request({}, permission, (ok) => (answer = ok), { requestingUrl, isMainFrame: true });
      return answer;
    };
    return { headers, ask, check };
  }

  it('puts the CSP on every response', () => {
    const { headers } = install(FILE);
    let response: { responseHeaders?: Record<string, string | string[]> } | undefined;
    headers({ url: 'app://parley/index.html', responseHeaders: {} }, (r) => (response = r));
    expect(response?.responseHeaders?.['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
  });

  it('grants notifications to the renderer only, and denies everything else', () => {
    const { ask, check } = install(DEV);
    expect(ask('notifications', 'http://localhost:5173/')).toBe(true);
    expect(ask('notifications', 'https://evil.example/')).toBe(false);
    expect(ask('media', 'http://localhost:5173/')).toBe(false);
    expect(ask('geolocation', 'http://localhost:5173/')).toBe(false);
    // The camera for our renderer only.
    expect(check(null, 'media', '', { requestingUrl: 'http://localhost:5173/', mediaType: 'video' })).toBe(
      true,
    );
    expect(check(null, 'media', '', { requestingUrl: 'https://evil.example/', mediaType: 'video' })).toBe(
      false,
    );
    expect(
      check(null, 'notifications', 'http://localhost:5173', { requestingUrl: 'http://localhost:5173/' }),
    ).toBe(true);
    expect(
      check(null, 'notifications', 'https://evil.example', { requestingUrl: 'https://evil.example/' }),
    ).toBe(false);
    expect(check(null, 'notifications', '', {})).toBe(false);
    expect(check(null, 'clipboard-read', '', { requestingUrl: 'http://localhost:5173/' })).toBe(false);
  });
});

describe('secureWebContents', () => {
  function install() {
    const events = new Map<string, (event: { preventDefault(): void }) => void>();
    let openHandler: ((details: { url: string }) => { action: string }) | undefined;
    const opened: string[] = [];
    const fake = {
      on: (name: string, listener: (event: { preventDefault(): void }) => void) => events.set(name, listener),
      setWindowOpenHandler: (h: (details: { url: string }) => { action: string }) => (openHandler = h),
    };
    // The app passes openExternalLink (externalLinks.ts), here with a user who always says yes.
    secureWebContents(fake as unknown as WebContents, async (url) => {
      await openExternalLink(url, {
        confirm: async () => true,
        openExternal: async (u) => {
          opened.push(u);
        },
      });
    });
    const prevented = (name: string) => {
      let stopped = false;
      events.get(name)?.({ preventDefault: () => (stopped = true) });
      return stopped;
    };
    const open = (url: string) => {
      if (!openHandler) throw new Error('no window open handler');
      return openHandler({ url }).action;
    };
    return { prevented, open, opened };
  }

  it('blocks navigation and <webview>', () => {
    const { prevented } = install();
    expect(prevented('will-navigate')).toBe(true);
    expect(prevented('will-attach-webview')).toBe(true);
  });

  it('denies every new window and opens only http(s) links in the OS browser', async () => {
    const { open, opened } = install();
    expect(open('https://example.org/')).toBe('deny');
    expect(open('file:///etc/passwd')).toBe('deny');
    expect(open('javascript:alert(1)')).toBe('deny');
    await new Promise((r) => setTimeout(r, 0));
    expect(opened).toEqual(['https://example.org/']);
  });
});
