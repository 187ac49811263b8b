import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/webShell';
import { checkScreenSizes } from './helpers/screens';
import { rewritePresence } from './helpers/presenceRewrite';
import {
  acceptInvite,
  createProfile,
  openConversation,
  openPeerPage,
  PEER_ENV,
  readInvite,
} from './helpers/peers';

/**
 * How "reachable through <name>" looks (issue 13, deliver 2). The state itself
 * needs a topology loopback cannot build (Ada and Bob cut off from each other,
 * both connected to Carl): core/contacts/reachableThrough.test.ts proves it
 * with network namespaces. Here the bridge's answer to `presence.list` is
 * rewritten to that state, so the chat header, the avatar's dot and the
 * contacts list can be checked (axe, both schemes, narrow and wide).
 */

/** Once `relayed.on`, every contact in presence.list is reachable through Carl. */
async function relayPresence(page: Page): Promise<{ on: boolean }> {
  const relayed = { on: false };
  await rewritePresence(page, () =>
    relayed.on
      ? (p) => ({ ...p, online: false, lastSeen: null, connection: { state: 'relayed', via: 'Carl' } })
      : null,
  );
  return relayed;
}

test('"reachable through <name>" in the chat header, the dot and the contacts list', async ({
  page,
  browser,
  startShell,
}) => {
  test.setTimeout(180_000);
  const [adaShell, bobShell] = await Promise.all([
    startShell({ env: PEER_ENV }),
    startShell({ env: PEER_ENV }),
  ]);
  const relayed = await relayPresence(page);
  const ada = page;
  const bobPeer = await openPeerPage(browser);
  await createProfile(ada, adaShell, 'Ada');
  await createProfile(bobPeer.page, bobShell, 'Bob');
  await acceptInvite(bobPeer.page, await readInvite(ada), 'Ada');
  await openConversation(ada, 'Bob');
  await expect(ada.getByTestId('presence-line')).toContainText('Online · on this network', {
    timeout: 30_000,
  });

  relayed.on = true;
  // Opening the contacts list reloads presence (and every later presence.changed does too).
  await ada.getByTestId('contacts-button').click();
  await expect(ada.getByTestId('contact-connection')).toHaveText('Reachable through Carl');
  await checkScreenSizes(ada, 'contacts-relayed');
  await ada.keyboard.press('Escape');
  await expect(ada.getByTestId('presence-line')).toHaveText('Reachable through Carl');
  await expect(ada.getByTestId('presence-dot').first()).toHaveAttribute('data-connection', 'relayed');
  await checkScreenSizes(ada, 'connection-relayed');
  expect(bobPeer.problems, 'CSP violations or uncaught errors in the peer page').toEqual([]);
});
