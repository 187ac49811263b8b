import { WS_PATH, type ParleyBridge } from '../../../src-shared/contract';
import { createWsBridge, type ConnectionMonitor, type ConnectionState, type Refusal } from './wsBridge';

declare global {
  interface Window {
    /** Set by the Electron preload; absent when the renderer is served by `parley web`. */
    parley?: ParleyBridge;
  }
}

const TOKEN_STORAGE_KEY = 'parley.webShellToken';
const SECRET_STORAGE_KEY = 'parley.webShellSecret';

/** What this tab presents to the web shell: the printed URL's token once, then its own secret. */
export type WebShellCredential = { kind: 'token' | 'secret'; value: string };

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    // Storage can be disabled; the session still works until the next reload.
    return null;
  }
}

/**
 * The web shell hands out its per-run token in the URL fragment (never sent to
 * a server, never in logs). Take it out of the address bar at once so it does
 * not end up in history or screenshots. The first connection exchanges it for
 * a secret that only this tab keeps (sessionStorage survives a reload, not a
 * copy of the URL into another browser); a fresh token in the address wins
 * over a secret from before.
 */
export function takeWebShellCredential(): WebShellCredential | null {
  const match = /(?:^#|&)token=([^&]*)/.exec(window.location.hash);
  const fromHash = match?.[1] ? decodeURIComponent(match[1]) : null;
  const store = storage();
  if (fromHash) {
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    store?.removeItem(SECRET_STORAGE_KEY);
    store?.setItem(TOKEN_STORAGE_KEY, fromHash);
    return { kind: 'token', value: fromHash };
  }
  const secret = store?.getItem(SECRET_STORAGE_KEY);
  if (secret) return { kind: 'secret', value: secret };
  const token = store?.getItem(TOKEN_STORAGE_KEY);
  return token ? { kind: 'token', value: token } : null;
}

/** Keeps the tab secret in place of the spent token. */
function keepSecret(secret: string): void {
  const store = storage();
  store?.setItem(SECRET_STORAGE_KEY, secret);
  store?.removeItem(TOKEN_STORAGE_KEY);
}

/** A bridge that answers every request with the same error; used when there is no way to reach the core. */
function unreachableBridge(message: string): ParleyBridge {
  return {
    request: () => Promise.resolve({ ok: false, error: { code: 'DISCONNECTED', message } }),
    subscribe: () => () => {},
  };
}

const alwaysOpen: ConnectionMonitor = { state: 'open', refusal: null, onChange: () => () => {} };

interface Selected {
  bridge: ParleyBridge;
  connection: ConnectionMonitor;
}

let selected: Selected | null = null;

function select(): Selected {
  // Electron: the preload's contextBridge object; IPC has no connection to lose.
  if (window.parley) return { bridge: window.parley, connection: alwaysOpen };
  let credential = takeWebShellCredential();
  if (!credential) {
    const bridge = unreachableBridge(
      'This page has no access token. Open the full address that “parley web” printed in the terminal.',
    );
    const closed: ConnectionMonitor = {
      state: 'closed' satisfies ConnectionState,
      refusal: null,
      onChange: () => () => {},
    };
    return { bridge, connection: closed };
  }
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const base = `${scheme}//${window.location.host}${WS_PATH}`;
  const ws = createWsBridge(
    () => (credential ? `${base}?${credential.kind}=${encodeURIComponent(credential.value)}` : base),
    {
      onSecret: (secret) => {
        credential = { kind: 'secret', value: secret };
        keepSecret(secret);
      },
    },
  );
  return { bridge: ws, connection: ws };
}

/** The one bridge of this window, chosen on first use. */
export function getBridge(): ParleyBridge {
  selected ??= select();
  return selected.bridge;
}

export type { ConnectionState, Refusal };

export function getConnection(): ConnectionMonitor {
  selected ??= select();
  return selected.connection;
}
