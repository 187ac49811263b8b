import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test, type WebShell } from './fixtures/webShell';
import { checkScreenSizes } from './helpers/screens';
import {
  acceptInvite,
  createProfile,
  openConversation,
  openPeerPage,
  PEER_ENV,
  PEER_PASSPHRASE,
  PEER_TIMEOUT,
  readInvite,
  sendMessage,
} from './helpers/peers';

/**
 * Issue 13, finding 1 and deliver 2 in the real renderer: Ada and Bob, two
 * web shells listening on tcp/0 as people start them, see each other
 * "on this network"; when Bob's shell stops Ada sees since when he is
 * offline; then both restart within seconds on the same profiles and find
 * each other again directly (before the fix each came back on a new random
 * port and they never reconnected), and a message goes straight through.
 */

async function unlock(page: Page, shell: WebShell): Promise<void> {
  await page.goto(shell.url);
  await expect(page.getByTestId('unlock-screen')).toBeVisible();
  await page.getByTestId('unlock-passphrase').fill(PEER_PASSPHRASE);
  await page.getByTestId('unlock-submit').click();
  await expect(page.getByTestId('home-screen')).toBeVisible();
}

test('connection state per contact, and both restarting at once reconnect directly', async ({
  page,
  browser,
  startShell,
}) => {
  test.setTimeout(240_000);
  const root = mkdtempSync(join(tmpdir(), 'parley-e2e-reconnect-'));
  try {
    const dirs = { ada: join(root, 'ada'), bob: join(root, 'bob') };
    const start = (dir: string) => startShell({ env: PEER_ENV, profileDir: dir });
    const [adaShell, bobShell] = await Promise.all([start(dirs.ada), start(dirs.bob)]);
    const ada = page;
    const bobPeer = await openPeerPage(browser);
    const bob = bobPeer.page;
    await createProfile(ada, adaShell, 'Ada');
    await createProfile(bob, bobShell, 'Bob');
    await acceptInvite(bob, await readInvite(ada), 'Ada');
    await openConversation(ada, 'Bob');

    // --- Connected directly: in the chat header and in the contacts list -------------------
    const line = ada.getByTestId('presence-line');
    await expect(line).toContainText('Online · on this network', { timeout: PEER_TIMEOUT });
    await expect(line).toHaveAttribute('data-connection', 'direct');
    await checkScreenSizes(ada, 'connection-direct');
    await ada.getByTestId('contacts-button').click();
    const bobRow = ada.getByTestId('contact-connection');
    await expect(bobRow).toHaveText('Online · on this network');
    await checkScreenSizes(ada, 'contacts-connection');
    await ada.keyboard.press('Escape');

    // --- Bob's shell stops: offline since a time Ada's device saw ---------------------------
    await bobShell.stop();
    await expect(line).toContainText(/Offline since \d/, { timeout: PEER_TIMEOUT });
    await expect(line).toHaveAttribute('data-connection', 'offline');
    await checkScreenSizes(ada, 'connection-offline');

    // --- Both restart within seconds, on the same profiles ---------------------------------
    await adaShell.stop();
    const [adaAgain, bobAgain] = await Promise.all([start(dirs.ada), start(dirs.bob)]);
    await Promise.all([unlock(ada, adaAgain), unlock(bob, bobAgain)]);
    await openConversation(ada, 'Bob');
    await expect(ada.getByTestId('presence-line')).toContainText('Online · on this network', {
      timeout: 15_000,
    });
    await expect(ada.getByTestId('status-net')).toContainText('Connected to 1');
    await sendMessage(ada, 'back, both of us');
    await openConversation(bob, 'Ada');
    await expect(bob.getByTestId('message-body').filter({ hasText: 'back, both of us' })).toBeVisible({
      timeout: 15_000,
    });
    expect(bobPeer.problems, 'CSP violations or uncaught errors in the peer page').toEqual([]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
