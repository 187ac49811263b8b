import { createCore } from '../src-main/core/core';
import { linkTestDevice } from '../src-main/core/devices/testing/ownListHelpers';
import { markThisDeviceRemoved } from '../src-main/core/devices/thisDeviceRemoval';
import { openUnlocked } from './fixtures/seededShell';
import { SEED_PASSPHRASE } from './fixtures/seedProfile';
import { expect, test } from './fixtures/webShell';
import { PEER_ENV } from './helpers/peers';
import { checkScreenSizes } from './helpers/screens';
import { openSettings } from './helpers/settings';

/**
 * Issue 18 (docs/protocol.md §13.8, §13.10) in the real renderer: Settings →
 * Devices renames a device inline (Escape cancels, Enter saves), removes
 * another after a confirmation that says what happens, shows the limit of
 * five, and a device that was removed says so above every screen. The own
 * list is seeded through the real core (entry 0 at its first start on
 * 127.0.0.1, then adds signed by it for devices that exist only in the test).
 */

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

/** A profile whose list has this device and `others` more; `removed`: then marked removed by the second. */
async function seedDevices(dir: string, others: number, removed = false): Promise<void> {
  const core = createCore({
    profileDir: dir,
    shell: 'cli',
    version: 'seed',
    kdfCost: FAST_KDF,
    network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false },
  });
  try {
    await core.profile.create('Ada', SEED_PASSPHRASE);
    const m = await core.messaging.running();
    const linked = Array.from({ length: others }, () => linkTestDevice(m.devices));
    if (removed && linked[0]) {
      const store = core.store();
      store.deviceLists.rename(linked[0].peerId, 'Phone');
      // The end state of §13.8 step 4 (the path to it is tested in core/runtime/revocationWiring.test.ts).
      markThisDeviceRemoved(store.settings, {
        peerId: m.node.peerId,
        at: Date.UTC(2026, 11, 6, 9, 30),
        by: linked[0].peerId,
        byName: 'Phone',
        reason: 'removed',
      });
    }
  } finally {
    await core.close();
  }
}

test('Settings → Devices: rename inline, remove after a confirmation, the limit of five', async ({
  page,
  startShell,
}) => {
  test.setTimeout(180_000);
  const shell = await startShell({ env: PEER_ENV, seedProfile: (dir) => seedDevices(dir, 4) });
  await openUnlocked(page, shell);
  await openSettings(page, 'devices');
  const own = page.getByTestId('devices-own');
  const rows = own.getByTestId('device-row');
  await expect(rows).toHaveCount(5);
  await expect(page.getByTestId('settings-devices')).toContainText('Your devices (5 of 5)');
  await expect(page.getByTestId('devices-full')).toContainText('the most Parley allows');
  await checkScreenSizes(page, 'devices-own-five');

  // Rename, by keyboard: Escape cancels, Enter saves.
  const second = rows.nth(1);
  await second.getByTestId('device-rename').click();
  const input = page.getByTestId('device-name-input');
  await expect(input).toBeFocused();
  await input.fill('Work laptop');
  await input.press('Escape');
  await expect(input).toHaveCount(0);
  await expect(second).toContainText('Windows device');
  await second.getByTestId('device-rename').click();
  await page.getByTestId('device-name-input').fill('Work laptop');
  await checkScreenSizes(page, 'devices-rename');
  await page.getByTestId('device-name-input').press('Enter');
  await expect(page.getByTestId('device-name-input')).toHaveCount(0);
  await expect(second).toContainText('Work laptop');
  // Too long: said beside the field, nothing saved.
  await second.getByTestId('device-rename').click();
  await page.getByTestId('device-name-input').fill('x'.repeat(41));
  await expect(second.getByRole('alert')).toContainText('At most 40 characters');
  await page.getByTestId('device-name-input').press('Escape');
  await expect(second).toContainText('Work laptop');

  // Remove: the dialog says what happens; Cancel keeps it; Remove device removes it.
  await second.getByTestId('device-remove').click();
  const dialog = page.getByTestId('device-remove-dialog');
  await expect(dialog).toContainText('Remove Work laptop?');
  await expect(dialog).toContainText('Work laptop (id ' /* its short id follows */);
  await expect(dialog).toContainText('will stop receiving messages and be removed from your conversations');
  await expect(page.getByTestId('device-remove-cancel')).toBeFocused();
  await checkScreenSizes(page, 'devices-remove-confirm');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(rows).toHaveCount(5);
  await second.getByTestId('device-remove').click();
  await page.getByTestId('device-remove-confirm').click();
  await expect(dialog).toHaveCount(0);
  await expect(rows).toHaveCount(4);
  await expect(own).not.toContainText('Work laptop');
  await expect(page.getByTestId('settings-devices')).toContainText('Your devices (4 of 5)');
  await expect(page.getByTestId('devices-full')).toHaveCount(0);
  // This device has no Remove: it is unlinked instead.
  await expect(rows.first().getByTestId('device-remove')).toHaveCount(0);
  await expect(rows.first().getByTestId('device-unlink')).toBeVisible();
});

test('a device removed from its person’s devices says so above every screen', async ({
  page,
  startShell,
}) => {
  test.setTimeout(120_000);
  const shell = await startShell({ env: PEER_ENV, seedProfile: (dir) => seedDevices(dir, 1, true) });
  await openUnlocked(page, shell);
  const banner = page.getByTestId('device-removed');
  await expect(banner).toContainText('This device was removed from Ada’s devices on');
  await expect(banner).toContainText('by Phone');
  await expect(banner).toContainText('What is on it stays readable here');
  // It stays offline: nothing offers to go online.
  await expect(page.getByTestId('status-net')).toHaveAttribute('data-state', 'offline');
  await expect(page.getByTestId('go-online')).toHaveCount(0);
  await checkScreenSizes(page, 'device-removed');
  await openSettings(page, 'devices');
  await expect(banner).toBeVisible();
});
