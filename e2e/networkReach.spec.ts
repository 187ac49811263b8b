import { createServer } from 'node:net';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/webShell';
import { checkScreenSizes } from './helpers/screens';
import { openSettings } from './helpers/settings';
import {
  acceptInvite,
  createProfile,
  openConversation,
  openPeerPage,
  PEER_ENV,
  PEER_TIMEOUT,
  readInvite,
} from './helpers/peers';

/**
 * Issue 19 item 4 in the real renderer: Settings → Network and how each
 * contact is reached. Cy's web shell says it is reachable (PARLEY_PUBLIC, as
 * `parley node --public`) and relays for its contact Ada over 127.0.0.1;
 * Ada, with no public address, reserves on Cy and lists her by name. A
 * contact reached through a relay or directly over the internet needs a
 * topology loopback cannot build (core/runtime/reachBeyondLan.test.ts builds
 * it from network namespaces): the bridge's answer to `presence.list` is
 * rewritten to those paths so the chat header and the contact's profile can
 * be checked (axe, both schemes, narrow and wide).
 */

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

type Path = { kind: 'lan' } | { kind: 'internet' } | { kind: 'relay'; via: string | null };

/** Proxies the bridge; once `path.value` is set, every online contact in presence.list is reached by it. */
async function rewritePaths(page: Page): Promise<{ value: Path | null }> {
  const path: { value: Path | null } = { value: null };
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
      if (typeof message !== 'string' || path.value === null) return ws.send(message);
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
      frame.reply.value = frame.reply.value.map((p: Record<string, unknown>) =>
        p['online'] === true ? { ...p, connection: { state: 'direct', path: path.value } } : p,
      );
      ws.send(JSON.stringify(frame));
    });
  });
  return path;
}

test('Settings → Network: a public device relays for its contact, who lists it by name', async ({
  page,
  browser,
  startShell,
}) => {
  test.setTimeout(240_000);
  const port = await freePort();
  const publicAddress = `/ip4/127.0.0.1/tcp/${port}`;
  const [adaShell, cyShell] = await Promise.all([
    startShell({ env: PEER_ENV }),
    startShell({ env: { ...PEER_ENV, PARLEY_LISTEN: publicAddress, PARLEY_PUBLIC: publicAddress } }),
  ]);
  const ada = page;
  const path = await rewritePaths(ada);
  const cy = await openPeerPage(browser);
  await createProfile(ada, adaShell, 'Ada');
  await createProfile(cy.page, cyShell, 'Cy');

  // Before any contact: Ada is behind a router and uses no relay yet.
  await openSettings(ada, 'network');
  const reachability = ada.getByTestId('network-reachability');
  await expect(reachability).toHaveAttribute('data-state', 'private');
  await expect(reachability).toContainText('Behind a router');
  await expect(ada.getByTestId('network-relays-none')).toBeVisible();
  await expect(ada.getByRole('switch', { name: 'Relay for my contacts' })).toBeChecked();
  await expect(ada.getByRole('switch', { name: /UPnP/ })).not.toBeChecked();
  await checkScreenSizes(ada, 'settings-network-no-relay');

  // Cy is reachable at her public address and relays for contacts, within limits.
  await openSettings(cy.page, 'network');
  await expect(cy.page.getByTestId('network-reachability')).toHaveAttribute('data-state', 'public');
  await expect(cy.page.getByTestId('network-public-addresses')).toHaveText(publicAddress);
  await expect(cy.page.getByTestId('settings-network')).toContainText(
    'Limits: 60 minutes and 1 GiB per relayed connection',
  );
  await checkScreenSizes(cy.page, 'settings-network-public');

  // Ada becomes Cy's contact: she reserves on Cy, and Settings → Network says so by name (live).
  await ada.getByTestId('settings-back').click();
  await acceptInvite(ada, await readInvite(cy.page), 'Cy');
  await openSettings(ada, 'network');
  const relay = ada.getByTestId('network-relays').getByRole('listitem');
  await expect(relay).toHaveText(/Cy\s*Relaying for you/, { timeout: PEER_TIMEOUT });
  await expect(relay).toHaveAttribute('data-state', 'reserved');
  await checkScreenSizes(ada, 'settings-network-relays');

  // The UPnP switch is stored in the profile: still on after a reload.
  await ada.getByRole('switch', { name: /UPnP/ }).check();
  await expect(ada.getByRole('switch', { name: /UPnP/ })).toBeChecked();
  await ada.reload();
  await openSettings(ada, 'network');
  await expect(ada.getByRole('switch', { name: /UPnP/ })).toBeChecked();

  // How Cy is reached, in the chat header and her profile: over 127.0.0.1 that is this network.
  await ada.getByTestId('settings-back').click();
  await openConversation(ada, 'Cy');
  const line = ada.getByTestId('presence-line');
  await expect(line).toHaveText('Online · on this network', { timeout: PEER_TIMEOUT });
  await expect(line).toHaveAttribute('data-path', 'lan');

  // Through a relay, and directly over the internet (the state seeded at the bridge).
  path.value = { kind: 'relay', via: 'Carl' };
  await ada.getByTestId('contacts-button').click();
  await ada.getByTestId('contacts-list').getByRole('button', { name: /Cy/ }).click();
  await expect(ada.getByTestId('contact-profile-connection')).toHaveText('Online · through Carl (relay)');
  await checkScreenSizes(ada, 'contact-profile-through-relay');
  await ada.keyboard.press('Escape');
  await expect(line).toHaveText('Online · through Carl (relay)');
  await expect(line).toHaveAttribute('data-path', 'relay');
  await checkScreenSizes(ada, 'connection-through-relay');
  path.value = { kind: 'internet' };
  await ada.getByTestId('contacts-button').click();
  await expect(ada.getByTestId('contact-connection')).toHaveText('Online · direct over the internet');
  await ada.keyboard.press('Escape');
  await expect(line).toHaveText('Online · direct over the internet');
  expect(cy.problems, 'CSP violations or uncaught errors in the peer page').toEqual([]);
});
