import { createServer } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures/webShell';
import { checkScreen, checkScreenSizes } from './helpers/screens';
import { openSettings } from './helpers/settings';
import { rewritePresence } from './helpers/presenceRewrite';
import {
  acceptInvite,
  createProfile,
  openConversation,
  openPeerPage,
  PEER_ENV,
  PEER_PASSPHRASE,
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

/** checkScreenSizes, with `part` scrolled into view at each size (the forms sit below the fold when narrow). */
async function checkSizesShowing(page: Page, name: string, part: Locator): Promise<void> {
  for (const [label, size] of [
    ['narrow', { width: 800, height: 600 }],
    ['wide', { width: 1600, height: 1000 }],
  ] as const) {
    await page.setViewportSize(size);
    await part.scrollIntoViewIfNeeded();
    await checkScreen(page, `${name}-${label}`);
  }
}

type Path = { kind: 'lan' } | { kind: 'internet' } | { kind: 'relay'; via: string | null };

/** Once `path.value` is set, every online contact in presence.list is reached by it. */
async function rewritePaths(page: Page): Promise<{ value: Path | null }> {
  const path: { value: Path | null } = { value: null };
  await rewritePresence(page, () => {
    const reached = path.value;
    if (reached === null) return null;
    return (p) => (p['online'] === true ? { ...p, connection: { state: 'direct', path: reached } } : p);
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

test('Settings → Network: relay limits and public addresses are checked, saved, and applied at the next start', async ({
  page,
  startShell,
}) => {
  test.setTimeout(180_000);
  const shell = await startShell({ env: PEER_ENV });
  await createProfile(page, shell, 'Ada');
  await openSettings(page, 'network');
  const section = page.getByTestId('settings-network');

  // Both forms are folded, their rows saying what is stored; a row opens from the keyboard
  // (Enter or Space, focus staying on it) and closes again.
  const limitsToggle = page.getByTestId('network-relay-limits-disclosure-toggle');
  const addressesToggle = page.getByTestId('network-public-disclosure-toggle');
  await expect(limitsToggle).toHaveAttribute('aria-expanded', 'false');
  await expect(limitsToggle).toContainText('60 min · 1 GiB · 64 devices');
  await expect(addressesToggle).toHaveAttribute('aria-expanded', 'false');
  await expect(addressesToggle).toContainText('None');
  await expect(page.getByTestId('network-relay-durationMinutes')).toBeHidden();
  await expect(page.getByTestId('network-public-input')).toBeHidden();
  await limitsToggle.focus();
  await page.keyboard.press('Enter');
  await expect(limitsToggle).toHaveAttribute('aria-expanded', 'true');
  await expect(limitsToggle).toBeFocused();
  await expect(page.getByTestId('network-relay-durationMinutes')).toBeVisible();
  await page.keyboard.press('Space');
  await expect(limitsToggle).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByTestId('network-relay-durationMinutes')).toBeHidden();
  await limitsToggle.click();
  await addressesToggle.click();
  await expect(page.getByTestId('network-public-input')).toBeVisible();
  await expect(page.getByTestId('network-relay-durationMinutes')).toHaveValue('60');
  await expect(page.getByTestId('network-relay-dataMiB')).toHaveValue('1024');
  await expect(page.getByTestId('network-relay-reservations')).toHaveValue('64');
  await expect(page.getByTestId('network-pending')).toHaveCount(0);

  // A limit out of range: said at once, nothing saved.
  await page.getByTestId('network-relay-durationMinutes').fill('0');
  await page.getByTestId('network-relay-limits-save').click();
  await expect(page.getByTestId('network-relay-limits-error')).toHaveText(
    /Longest relayed connection: enter a whole number from 1 to 1,440/,
  );
  await expect(page.getByTestId('network-pending')).toHaveCount(0);

  // Sensible limits, saved from the keyboard: stored, and they wait for networking to start again.
  await page.getByTestId('network-relay-durationMinutes').fill('30');
  await page.getByTestId('network-relay-dataMiB').fill('2048');
  await page.getByTestId('network-relay-reservations').fill('8');
  await page.getByTestId('network-relay-reservations').press('Enter');
  await expect(page.getByTestId('network-relay-limits-saved')).toHaveText('Saved.');
  await expect(page.getByTestId('network-relay-limits-error')).toHaveCount(0);
  await expect(page.getByTestId('network-pending')).toContainText('after you lock and unlock');
  await expect(limitsToggle).toContainText('30 min · 2 GiB · 8 devices');
  // The relay still runs with the limits it started with.
  await expect(section).toContainText('Limits: 60 minutes and 1 GiB per relayed connection');

  // A public address other networks cannot reach: the core says why, at the field; nothing saved.
  const address = page.getByTestId('network-public-input');
  await address.fill('192.168.1.20:4001');
  await page.getByTestId('network-public-save').click();
  await expect(page.getByTestId('network-public-input-error')).toContainText(
    '192.168.1.20 is a private or reserved address',
  );
  await expect(address).toHaveAttribute('aria-invalid', 'true');
  await checkSizesShowing(page, 'settings-network-address-error', page.getByTestId('network-public-save'));
  await address.fill('example.org:4001');
  await address.press('Enter');
  await expect(page.getByTestId('network-public-input-error')).toContainText('Names are not supported');

  // A good one, as host:port: saved as the multiaddr it will announce.
  await address.fill('81.2.69.160:4001');
  await address.press('Enter');
  await expect(page.getByTestId('network-public-saved')).toHaveText('Saved.');
  await expect(page.getByTestId('network-public-input-error')).toHaveCount(0);
  await expect(address).toHaveValue('/ip4/81.2.69.160/tcp/4001');
  await expect(addressesToggle).toContainText('/ip4/81.2.69.160/tcp/4001');
  await checkSizesShowing(page, 'settings-network-edited', page.getByTestId('network-pending'));

  // Removed again (this test's device must not announce an address it does not have).
  await address.fill('');
  await page.getByTestId('network-public-save').click();
  await expect(address).toHaveValue('');
  await expect(page.getByTestId('network-pending')).toBeVisible();

  // Networking starts again: the relay takes the new limits, nothing waits any more.
  await page.getByTestId('settings-back').click();
  await page.getByTestId('lock-button').click();
  await page.getByTestId('unlock-passphrase').fill(PEER_PASSPHRASE);
  await page.getByTestId('unlock-passphrase').press('Enter');
  await expect(page.getByTestId('home-screen')).toBeVisible();
  await openSettings(page, 'network');
  await expect(section).toContainText(
    'Limits: 30 minutes and 2 GiB per relayed connection, 8 contacts’ devices',
  );
  // Folded again on a new visit; the row shows the stored limits.
  await expect(limitsToggle).toHaveAttribute('aria-expanded', 'false');
  await expect(limitsToggle).toContainText('30 min · 2 GiB · 8 devices');
  await limitsToggle.click();
  await expect(page.getByTestId('network-relay-reservations')).toHaveValue('8');
  await expect(page.getByTestId('network-pending')).toHaveCount(0);
});
