import type { Page } from '@playwright/test';

/** One contact as the bridge answers `presence.list` (only the fields a spec rewrites are named). */
export type PresenceEntry = Record<string, unknown>;

/**
 * Proxies the page's bridge socket and passes every frame through, except
 * the answers to `presence.list`: while `rewrite()` returns a function, each
 * contact in them is replaced by what it returns. For connection states
 * loopback cannot build (relayed, direct over the internet); the core's side
 * of them is proved with network namespaces in src-main/core/runtime.
 */
export async function rewritePresence(
  page: Page,
  rewrite: () => ((entry: PresenceEntry) => PresenceEntry) | null,
): Promise<void> {
  const presenceIds = new Set<unknown>();
  await page.routeWebSocket(/\/bridge\?/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (typeof message === 'string') {
        const frame = JSON.parse(message) as { id?: unknown; name?: unknown };
        if (frame.name === 'presence.list') presenceIds.add(frame.id);
      }
      server.send(message);
    });
    server.onMessage((message) => {
      const change = rewrite();
      if (typeof message !== 'string' || change === null) return ws.send(message);
      const frame = JSON.parse(message) as {
        t?: string;
        id?: unknown;
        reply?: { ok: boolean; value?: unknown };
      };
      if (
        frame.t !== 'res' ||
        !presenceIds.has(frame.id) ||
        !frame.reply?.ok ||
        !Array.isArray(frame.reply.value)
      )
        return ws.send(message);
      frame.reply.value = frame.reply.value.map((entry: PresenceEntry) => change(entry));
      ws.send(JSON.stringify(frame));
    });
  });
}
