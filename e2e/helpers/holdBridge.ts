import type { Page } from '@playwright/test';

export interface BridgeGate {
  /** Resolves once the page has sent a request with this name. */
  requested(name: string): Promise<void>;
  /** Lets everything the server sent while holding through, in order, and stops holding. */
  release(): void;
}

/**
 * Proxies the page's bridge WebSocket to the real shell and, once the page
 * sends a request named `holdAfter`, holds every server frame (its reply and
 * any events) until `release()`. That freezes the UI in its busy state long
 * enough to assert on it, which the fast test KDF otherwise never allows.
 * Call before page.goto.
 */
export async function holdBridgeAfter(page: Page, holdAfter: string): Promise<BridgeGate> {
  let holding = false;
  let flush: (() => void) | null = null;
  const waiters = new Map<string, () => void>();
  const seen = new Set<string>();

  await page.routeWebSocket(/\/bridge\?/, (ws) => {
    const server = ws.connectToServer();
    const held: (string | Buffer)[] = [];
    ws.onMessage((message) => {
      if (typeof message === 'string') {
        const name = (JSON.parse(message) as { name?: unknown }).name;
        if (typeof name === 'string') {
          if (name === holdAfter) holding = true;
          seen.add(name);
          waiters.get(name)?.();
        }
      }
      server.send(message);
    });
    server.onMessage((message) => {
      if (holding) held.push(message);
      else ws.send(message);
    });
    flush = () => {
      for (const message of held.splice(0)) ws.send(message);
    };
  });

  return {
    requested: (name) =>
      seen.has(name) ? Promise.resolve() : new Promise((resolve) => waiters.set(name, resolve)),
    release() {
      holding = false;
      flush?.();
    },
  };
}
