import { createCore } from '../src-main/core/core';
import { linkTestDevice } from '../src-main/core/devices/testing/ownListHelpers';
import { openUnlocked, seedClock } from './fixtures/seededShell';
import { SEED_PASSPHRASE, seedProfile } from './fixtures/seedProfile';
import { expect, test } from './fixtures/webShell';
import { PEER_ENV } from './helpers/peers';
import { checkScreenSizes } from './helpers/screens';
import { openSettings } from './helpers/settings';

/**
 * Issue 18, docs/protocol.md §13.8 step 4 and §13.10, in the real renderer
 * and core: a device that is no longer one of its person's devices (here it
 * unlinks itself, the path that runs end to end on one machine today) keeps
 * its history readable and searchable, offers nothing that cannot work (new
 * chat, new group, invites, imports, device changes, going online), and
 * offers the two ways on: "Link again" and "Delete this profile", both after
 * typing the profile's name.
 */

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

/** Ada's profile with a conversation, whose own list has this device and a phone. */
async function seedWithPhone(dir: string): Promise<void> {
  const { now, hour } = seedClock();
  await seedProfile(dir, {
    displayName: 'Ada',
    contacts: ['Bob'],
    conversations: [
      {
        kind: 'dm',
        with: 'Bob',
        messages: [
          { from: 'Bob', body: 'The lighthouse keeper says hello', sentAt: now - 2 * hour, read: true },
          { from: 'me', body: 'Tell him the copper kettle is ready', sentAt: now - hour, state: 'read' },
        ],
      },
    ],
  });
  const core = createCore({
    profileDir: dir,
    shell: 'cli',
    version: 'seed',
    kdfCost: FAST_KDF,
    network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false },
  });
  try {
    await core.dispatch('profile.unlock', { passphrase: SEED_PASSPHRASE });
    const m = await core.messaging.running();
    const phone = linkTestDevice(m.devices);
    core.store().deviceLists.rename(phone.peerId, 'Phone');
  } finally {
    await core.close();
  }
}

test('a removed device: readable and searchable, no actions, then Delete this profile → onboarding', async ({
  page,
  startShell,
}) => {
  test.setTimeout(180_000);
  const shell = await startShell({ env: PEER_ENV, seedProfile: seedWithPhone });
  await openUnlocked(page, shell);
  // Before: the actions are there.
  await expect(page.getByTestId('add-contact')).toBeVisible();
  await expect(page.getByTestId('new-group')).toBeVisible();

  // Unlink this device (Settings → Devices), a real list entry signed here.
  await openSettings(page, 'devices');
  await page.getByTestId('devices-own').getByTestId('device-unlink').click();
  await page.getByTestId('device-unlink-confirm').click();
  const banner = page.getByTestId('device-removed');
  await expect(banner).toContainText('This device was unlinked from Ada’s devices on', { timeout: 30_000 });
  // The list as it last knew it (the phone alone now), with nothing to change in it and no "Link a new device".
  await expect(page.getByTestId('devices-own').getByTestId('device-row')).toHaveCount(1);
  await expect(page.getByTestId('devices-own')).toContainText('Phone');
  await expect(page.getByTestId('device-rename')).toHaveCount(0);
  await expect(page.getByTestId('device-remove')).toHaveCount(0);
  await expect(page.getByTestId('device-unlink')).toHaveCount(0);
  await expect(page.getByTestId('devices-link')).toHaveCount(0);

  // Home: no new chat, no new group, not by shortcut either; offline with nothing to go online with.
  await page.getByTestId('settings-button').click();
  await expect(page.getByTestId('add-contact')).toHaveCount(0);
  await expect(page.getByTestId('new-group')).toHaveCount(0);
  await page.keyboard.press('Control+n');
  await page.keyboard.press('Control+Shift+N');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByTestId('go-online')).toHaveCount(0);
  await expect(page.getByTestId('status-net')).toHaveAttribute('data-state', 'offline');
  await expect(page.getByTestId('welcome-add-contact')).toHaveCount(0);
  await expect(page.locator('.empty-state')).toContainText('Your conversations stay readable here');

  // Contacts: readable and exportable, nothing imported.
  await page.getByTestId('contacts-button').click();
  await expect(page.getByTestId('contacts-list')).toContainText('Bob');
  await expect(page.getByTestId('contacts-export')).toBeVisible();
  await expect(page.getByTestId('contacts-import')).toHaveCount(0);
  await page.keyboard.press('Escape');

  // The history reads, read-only, and search finds it.
  await page.getByTestId('conversation-row').filter({ hasText: 'Bob' }).click();
  await expect(
    page.getByTestId('message-body').filter({ hasText: 'The lighthouse keeper says hello' }),
  ).toBeVisible();
  await expect(page.getByTestId('chat-readonly')).toBeVisible();
  // Nothing that would send: no react, no reply (hover or menu); copying and the info stay.
  const mine = page.getByTestId('message-wrap').filter({ hasText: 'copper kettle' });
  await mine.hover();
  await expect(mine.getByTestId('action-react')).toHaveCount(0);
  await expect(mine.getByTestId('action-reply')).toHaveCount(0);
  await mine.getByTestId('action-more').click();
  await expect(page.getByTestId('menu-copy')).toBeVisible();
  await expect(page.getByTestId('menu-reply')).toHaveCount(0);
  await expect(page.getByTestId('menu-react')).toHaveCount(0);
  await expect(page.getByTestId('menu-edit')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('composer-input')).toHaveCount(0);
  await checkScreenSizes(page, 'device-removed-chat');
  await page.keyboard.press('Control+k');
  await page.getByTestId('search-input').fill('kettle');
  await expect(page.getByTestId('search-hit').first()).toContainText('copper kettle');
  await page.keyboard.press('Escape');

  // Delete this profile: the typed name is asked for, a wrong one deletes nothing.
  await banner.getByTestId('device-removed-delete').click();
  const dialog = page.getByTestId('delete-profile-dialog');
  await expect(dialog).toContainText('Delete this profile?');
  await expect(page.getByTestId('delete-profile-confirm-input')).toBeFocused();
  await page.getByTestId('delete-profile-confirm-input').fill('ada');
  await page.getByTestId('delete-profile-confirm-input').press('Enter');
  await expect(dialog).toContainText('Type Ada exactly, as shown.');
  await expect(dialog).toBeVisible();
  await page.getByTestId('delete-profile-confirm-input').fill('Ada');
  await checkScreenSizes(page, 'device-removed-delete');
  await page.getByTestId('delete-profile-submit').click();
  // Back at the start, and a new profile can be made in the same place.
  await expect(page.getByTestId('onboarding-screen')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('device-removed')).toHaveCount(0);
  await page.getByTestId('onboarding-display-name').fill('Ada');
  await page.getByTestId('onboarding-passphrase').fill('quiet-lantern-orbit-47');
  await page.getByTestId('onboarding-confirm').fill('quiet-lantern-orbit-47');
  await page.getByTestId('onboarding-submit').click();
  await expect(page.getByTestId('home-screen')).toBeVisible();
  await expect(page.getByTestId('device-removed')).toHaveCount(0);
  await expect(page.getByTestId('add-contact')).toBeVisible();
  await expect(page.getByTestId('conversation-row')).toHaveCount(0);
});

test('a removed device: Link again deletes it after the typed name and opens “I already use Parley”', async ({
  page,
  startShell,
}) => {
  test.setTimeout(180_000);
  const shell = await startShell({ env: PEER_ENV, seedProfile: seedWithPhone });
  await openUnlocked(page, shell);
  await openSettings(page, 'devices');
  await page.getByTestId('devices-own').getByTestId('device-unlink').click();
  await page.getByTestId('device-unlink-confirm').click();
  const banner = page.getByTestId('device-removed');
  await expect(banner).toBeVisible({ timeout: 30_000 });
  await checkScreenSizes(page, 'device-removed-actions');

  await banner.getByTestId('device-removed-relink').click();
  const dialog = page.getByTestId('delete-profile-dialog');
  await expect(dialog).toContainText('Link this computer again?');
  await expect(dialog).toContainText('your history comes over from that device');
  // Cancel keeps everything.
  await page.getByTestId('delete-profile-cancel').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('home-screen')).toBeVisible();

  await banner.getByTestId('device-removed-relink').click();
  await page.getByTestId('delete-profile-confirm-input').fill('Ada');
  await checkScreenSizes(page, 'device-removed-relink');
  await page.getByTestId('delete-profile-confirm-input').press('Enter');
  await expect(page.getByTestId('join-screen')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('join-code')).toBeFocused();
  // Back leads to the ordinary start.
  await page.getByTestId('join-back').click();
  await expect(page.getByTestId('onboarding-screen')).toBeVisible();
});
