import { WS_PATH, type ParleyBridge } from '../../../src-preload/contract';
import { createWsBridge, type ConnectionMonitor, type ConnectionState } from './wsBridge';

declare global {
  interface Window {
    /** Set by the Electron preload; absent when the renderer is served by `parley web`. */
    parley?: ParleyBridge;
  }
}

const TOKEN_STORAGE_KEY = 'parley.webShellToken';

/**
 * The web shell hands out its per-run token in the URL fragment (never sent to
 * a server, never in logs). Take it out of the address bar at once so it does
 * not end up in history or screenshots, and keep it for this tab only so a
 * reload still connects.
 */
export function takeWebShellToken(): string | null {
  const match = /(?:^#|&)token=([^&]*)/.exec(window.location.hash);
  const fromHash = match?.[1] ? decodeURIComponent(match[1]) : null;
  if (fromHash) {
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    try {
      window.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromHash);
    } catch {
      // Storage can be disabled; the session still works until the next reload.
    }
    return fromHash;
  }
  try {
    return window.sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}

/** A bridge that answers every request with the same error; used when there is no way to reach the core. */
function unreachableBridge(message: string): ParleyBridge {
  return {
    request: () => Promise.resolve({ ok: false, error: { code: 'DISCONNECTED', message } }),
    subscribe: () => () => {},
  };
}

const alwaysOpen: ConnectionMonitor = { state: 'open', onChange: () => () => {} };

interface Selected {
  bridge: ParleyBridge;
  connection: ConnectionMonitor;
}

let selected: Selected | null = null;

function select(): Selected {
  // Electron: the preload's contextBridge object; IPC has no connection to lose.
  if (window.parley) return { bridge: window.parley, connection: alwaysOpen };
  const token = takeWebShellToken();
  if (!token) {
    const bridge = unreachableBridge(
      'This page has no access token. Open the full address that “parley web” printed in the terminal.',
    );
    const closed: ConnectionMonitor = { state: 'closed' satisfies ConnectionState, onChange: () => () => {} };
    return { bridge, connection: closed };
  }
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${scheme}//${window.location.host}${WS_PATH}?token=${encodeURIComponent(token)}`;
  const ws = createWsBridge(url);
  return { bridge: ws, connection: ws };
}

/** The one bridge of this window, chosen on first use. */
export function getBridge(): ParleyBridge {
  selected ??= select();
  return selected.bridge;
}

export function getConnection(): ConnectionMonitor {
  selected ??= select();
  return selected.connection;
}

export type { ConnectionState };
