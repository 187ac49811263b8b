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
 * Issue 18 (the device list) in the real renderer: Settings → Devices lists
 * this device (its list's entry 0, signed at the first start), and a contact's
 * profile lists the devices their list names, which travelled with the head
 * of the address exchange over 127.0.0.1. A fork needs a stolen device key
 * (core/devices/deviceListNet.test.ts makes one between real peers); here the
 * bridge's answers are rewritten to carry one, so both warnings (the owner's
 * in Settings, the contact's on the profile and in the DM) can be checked
 * (axe, both schemes, narrow and wide).
 */

interface ForkSwitch {
  on: boolean;
}

/** Proxies the bridge; once `on`, every devices.list / devices.ofContact answer carries a fork. */
async function injectFork(page: Page): Promise<ForkSwitch> {
  const fork: ForkSwitch = { on: false };
  const ids = new Set<unknown>();
  await page.routeWebSocket(/\/bridge\?/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (typeof message === 'string') {
        const frame = JSON.parse(message) as { id?: unknown; name?: unknown };
        if (frame.name === 'devices.list' || frame.name === 'devices.ofContact') ids.add(frame.id);
      }
      server.send(message);
    });
    server.onMessage((message) => {
      if (typeof message !== 'string' || !fork.on) return ws.send(message);
      const frame = JSON.parse(message) as {
        t?: string;
        id?: unknown;
        reply?: {
          ok: boolean;
          value?: { devices: { shortId: string; name: string | null }[]; forks: unknown[] };
        };
      };
      const value = frame.reply?.value;
      if (frame.t !== 'res' || !ids.has(frame.id) || !frame.reply?.ok || !value) return ws.send(message);
      const signer = value.devices[0];
      value.forks = [
        {
          seq: 1,
          seenAt: Date.UTC(2026, 11, 5, 14, 5),
          toldBy: 'Carl',
          signedBy: signer ? { shortId: signer.shortId, name: 'Laptop' } : null,
          otherVersion: [
            { op: 'add', shortId: 'Qm7xT2vb', platform: 'windows', at: Date.UTC(2026, 11, 5, 14, 3) },
          ],
        },
      ];
      ws.send(JSON.stringify(frame));
    });
  });
  return fork;
}

test('Settings → Devices and a contact’s devices; a forked list warns both sides', async ({
  page,
  browser,
  startShell,
}) => {
  test.setTimeout(240_000);
  const [adaShell, bobShell] = await Promise.all([
    startShell({ env: PEER_ENV }),
    startShell({ env: PEER_ENV }),
  ]);
  const ada = page;
  const adaFork = await injectFork(ada);
  const bobPeer = await openPeerPage(browser);
  const bob = bobPeer.page;
  const bobFork = await injectFork(bob);
  await createProfile(ada, adaShell, 'Ada');
  await createProfile(bob, bobShell, 'Bob');

  // Ada's own list: this device, from entry 0 signed at her first start.
  await openSettings(ada, 'devices');
  const own = ada.getByTestId('devices-own');
  await expect(own.getByTestId('device-row')).toHaveCount(1);
  await expect(own.getByTestId('device-this')).toBeVisible();
  await expect(ada.getByTestId('settings-devices')).toContainText('Your devices (1 of 5)');
  await expect(own).toContainText('Linux');
  const adaId = (await own.locator('code').textContent()) ?? '';
  expect(adaId).toHaveLength(8);
  await checkScreenSizes(ada, 'devices-settings');

  // Bob adds Ada: her list reaches him with the head of their address exchange.
  await ada.getByTestId('settings-back').click();
  await acceptInvite(bob, await readInvite(ada), 'Ada');
  await bob.getByTestId('contacts-button').click();
  await bob.getByTestId('contacts-panel').getByRole('button', { name: /Ada/ }).click();
  const hers = bob.getByTestId('contact-devices-list');
  await expect(hers.getByTestId('device-row')).toHaveCount(1, { timeout: PEER_TIMEOUT });
  await expect(hers.locator('code')).toHaveText(adaId);
  await expect(hers.getByTestId('device-this')).toHaveCount(0);
  await checkScreenSizes(bob, 'devices-contact-profile');
  await bob.keyboard.press('Escape');

  // A forked list: Bob is warned on Ada's profile and in their DM; Ada in Settings → Devices.
  bobFork.on = true;
  adaFork.on = true;
  // (The core would send devices.fork; the rewritten answers come on the next read: leave the chat and come back.)
  await openSettings(bob, 'about');
  await bob.getByTestId('settings-back').click();
  await openConversation(bob, 'Ada');
  const banner = bob.getByTestId('device-fork-banner');
  await expect(banner).toContainText('Ada’s device list is not the one you were shown before');
  await checkScreenSizes(bob, 'devices-fork-dm');
  await banner.getByTestId('device-fork-see').click();
  await expect(bob.getByTestId('contact-devices-fork')).toContainText('Ask Ada which devices they have');
  await expect(bob.getByTestId('contact-devices-fork')).toContainText('adds a device (Windows');
  await expect(bob.getByTestId('contact-devices-fork')).toContainText('it came from Carl');
  await checkScreenSizes(bob, 'devices-fork-contact');
  await bob.keyboard.press('Escape');

  await openSettings(ada, 'devices');
  const warning = ada.getByTestId('devices-own-fork');
  await expect(warning).toContainText('Carl was shown a version of your device list that you did not make');
  await expect(warning).toContainText(`your device Laptop (id ${adaId})`);
  await checkScreenSizes(ada, 'devices-fork-owner');
  expect(bobPeer.problems).toEqual([]);
});
