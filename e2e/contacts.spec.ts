import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures/webShell';
import { connectTwoPeers, PEER_TIMEOUT } from './helpers/peers';
import { checkScreen, checkScreenSizes } from './helpers/screens';

/**
 * Contacts between two real peers (issue #4): verify a safety number (both
 * sides see the same digits), rename, block and unblock, and the
 * conversation info panel from the chat header.
 */

async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await locator.boundingBox();
  if (!b) throw new Error('not visible');
  return b;
}

/** Opens the contacts panel on one contact's profile. */
async function openProfile(page: Page, name: string): Promise<void> {
  await page.getByTestId('contacts-button').click();
  const panel = page.getByTestId('contacts-panel');
  await expect(panel).toBeVisible();
  await panel.getByRole('button', { name: new RegExp(name) }).click();
  await expect(page.getByTestId('contact-profile')).toBeVisible();
  await expect(page.getByTestId('safety-number').locator('span')).toHaveCount(12);
}

test('contacts: verify a safety number, rename, block and unblock, conversation info', async ({
  page,
  browser,
  startShell,
}) => {
  test.setTimeout(150_000);
  // Bob adds Ada by her invite; the DM reaches Ada's list.
  const {
    ada,
    bob,
    bobPeer: { context: bobContext },
  } = await connectTwoPeers(page, browser, startShell);

  // --- The list and the profile ------------------------------------------------
  const contactsButton = ada.getByTestId('contacts-button');
  await contactsButton.click();
  const panel = ada.getByRole('dialog', { name: 'Contacts' });
  await expect(panel).toBeVisible();
  await expect(panel).toHaveAttribute('aria-modal', 'true');
  await expect(ada.getByTestId('contact-name')).toHaveText(['Bob']);
  await checkScreen(ada, 'contacts-list');
  await ada.getByTestId('contact-name').click();
  await expect(ada.getByRole('dialog', { name: 'Bob' })).toBeVisible();
  await expect(ada.getByTestId('safety-number').locator('span')).toHaveCount(12);
  await expect(ada.getByRole('img', { name: 'Safety number QR code' })).toBeVisible();

  // --- Verify: both sides see the same 60 digits ---------------------------------
  await openProfile(bob, 'Ada');
  const adaDigits = (await ada.getByTestId('safety-number').locator('span').allTextContents()).join('');
  const bobDigits = (await bob.getByTestId('safety-number').locator('span').allTextContents()).join('');
  expect(adaDigits).toMatch(/^\d{60}$/);
  expect(bobDigits).toBe(adaDigits);

  // A code that is not theirs is refused with a clear message; nothing is marked.
  await ada.getByTestId('contact-verify-code').fill(`parley-safety:1:${'0'.repeat(64)}:${'f'.repeat(64)}`);
  await ada.getByTestId('contact-verify-code-submit').click();
  await expect(ada.getByTestId('contact-error')).toContainText('does not match your safety number with Bob');
  await expect(ada.getByTestId('badge-verified')).toHaveCount(0);

  await ada.getByTestId('contact-verify').click();
  await expect(ada.getByTestId('badge-verified')).toBeVisible();
  await expect(ada.getByTestId('contact-verified-status')).toHaveText('You verified Bob.');
  await checkScreen(ada, 'contacts-profile');

  // --- Rename ------------------------------------------------------------------------
  await ada.getByTestId('contact-rename-input').fill('Bobby');
  await ada.getByTestId('contact-rename-input').press('Enter');
  await expect(ada.getByRole('dialog', { name: 'Bobby' })).toBeVisible();
  await expect(ada.getByTestId('contact-own-name')).toHaveText('Calls themselves “Bob”');

  // --- Block, then unblock from the chat's banner ------------------------------------
  await ada.getByTestId('contact-block').click();
  await expect(ada.getByTestId('badge-blocked')).toBeVisible();
  await ada.getByTestId('contact-back').click();
  await expect(ada.getByTestId('contact-name')).toHaveText(['Bobby']);
  await expect(ada.getByTestId('badge-blocked')).toBeVisible();
  await ada.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect(contactsButton).toBeFocused();

  const bobRow = ada.getByTestId('conversation-row').filter({ hasText: 'Bobby' });
  await expect(bobRow).toBeVisible({ timeout: PEER_TIMEOUT });
  await bobRow.click();
  await expect(ada.getByTestId('chat-title')).toHaveText('Bobby');
  await expect(ada.getByTestId('blocked-banner')).toBeVisible();
  await checkScreen(ada, 'contacts-blocked-chat');

  // While blocked, Bob's message does not arrive; unblocking lets it through.
  await bob.keyboard.press('Escape');
  await bob.getByTestId('composer-input').fill('knock knock');
  await bob.getByTestId('composer-input').press('Enter');
  await expect(bob.getByTestId('message-body')).toHaveText(['knock knock']);
  await ada.getByTestId('blocked-banner-unblock').click();
  await expect(ada.getByTestId('blocked-banner')).toHaveCount(0);
  await expect(ada.getByTestId('chat-verified-badge')).toBeVisible();
  await expect(ada.getByTestId('message-body')).toHaveText(['knock knock'], { timeout: 45_000 });

  // --- Conversation info from the header (button and Ctrl+I) -------------------------
  const infoButton = ada.getByTestId('chat-info-button');
  await infoButton.click();
  const info = ada.getByRole('dialog', { name: 'Conversation info' });
  await expect(info).toBeVisible();
  await expect(ada.getByTestId('info-loading')).toHaveCount(0);
  // Issue 17 item 15: a DM speaks plainly; protocol details wait behind "Advanced", no roles.
  await expect(info.getByTestId('info-encryption')).toHaveText('End-to-end encrypted');
  await expect(info.getByText('Epoch', { exact: true })).toBeHidden();
  await expect(info.getByTestId('info-ciphersuite')).toBeHidden();
  await expect(info.getByTestId('info-my-role')).toHaveCount(0);
  await expect(info.getByTestId('info-member-role')).toHaveCount(0);
  await expect(info).not.toContainText(/Owner|Admin/);
  await checkScreenSizes(ada, 'group-info-dm');
  const advanced = info.getByText('Advanced', { exact: true });
  await advanced.focus();
  await ada.keyboard.press('Enter');
  await expect(info.getByTestId('info-epoch')).toBeVisible();
  await expect(info.getByTestId('info-ciphersuite')).toContainText(/X-Wing|ML-KEM|X25519/);
  await checkScreenSizes(ada, 'group-info-dm-advanced');
  await ada.keyboard.press('Escape');
  await expect(info).toHaveCount(0);
  await expect(infoButton).toBeFocused();
  await ada.getByTestId('composer-input').focus();
  await ada.keyboard.press('Control+i');
  await expect(info).toBeVisible();
  // From the DM's info straight to the contact's safety number.
  await ada.getByTestId('info-view-contact').click();
  await expect(ada.getByRole('dialog', { name: 'Bobby' })).toBeVisible();
  await expect(ada.getByTestId('badge-verified')).toBeVisible();
  // Issue 17 item 21: opened from the conversation, it offered "← All contacts", a list never shown.
  await expect(ada.getByTestId('contact-back')).toHaveCount(0);
  await expect(ada.getByTestId('safety-number')).toBeVisible();
  await ada.keyboard.press('Escape');
  await expect(ada.getByRole('dialog')).toHaveCount(0);

  // A very long name, for the member row below (issue 17 item 21).
  const LONG_NAME = 'Bobby Wolfeschlegelsteinhausenbergerdorff of the Lower Saxony Engines';
  await contactsButton.click();
  await ada.getByTestId('contact-name').filter({ hasText: 'Bobby' }).click();
  await ada.getByTestId('contact-rename-input').fill(LONG_NAME.slice(0, 64));
  await ada.getByTestId('contact-rename-input').press('Enter');
  await expect(ada.getByRole('dialog', { name: LONG_NAME.slice(0, 64) })).toBeVisible();
  await ada.keyboard.press('Escape');
  await expect(ada.getByRole('dialog')).toHaveCount(0);

  // A group: members with roles, ciphersuite and epoch.
  await ada.getByTestId('new-group').click();
  await ada.getByTestId('new-group-name').fill('Engines');
  await ada.getByRole('checkbox', { name: LONG_NAME.slice(0, 64) }).check();
  await ada.getByTestId('new-group-submit').click();
  await expect(ada.getByTestId('chat-title')).toHaveText('Engines', { timeout: PEER_TIMEOUT });
  await ada.getByTestId('chat-info-button').click();
  await expect(info).toBeVisible();
  await expect(ada.getByTestId('info-loading')).toHaveCount(0);
  // A group keeps its roles (they decide who may change it); the protocol details stay folded.
  await expect(ada.getByTestId('info-my-role')).toHaveText('Owner');
  await expect(ada.getByTestId('info-epoch')).toBeHidden();
  // Issue 17 item 21: beside a very long name the member's buttons stay on the name's row, to its
  // right and inside the panel, at 800 px as at 1600 px; they wrapped below the name before.
  const bobbyMember = info.getByTestId('info-member').filter({ hasText: 'Bobby' });
  for (const size of [
    { width: 800, height: 600 },
    { width: 1600, height: 1000 },
  ]) {
    await ada.setViewportSize(size);
    const name = await box(bobbyMember.locator('.info-member__name'));
    const actions = await box(bobbyMember.getByTestId('info-member-actions'));
    const row = await box(bobbyMember);
    const at = `at ${size.width} px`;
    expect(actions.x, `buttons right of the name ${at}`).toBeGreaterThanOrEqual(name.x + name.width);
    expect(actions.y, `buttons not below the name ${at}`).toBeLessThan(name.y + name.height);
    expect(actions.y + actions.height, `buttons level with the name ${at}`).toBeGreaterThan(name.y);
    expect(actions.x + actions.width, `buttons inside the row ${at}`).toBeLessThanOrEqual(
      row.x + row.width + 1,
    );
    await expect(bobbyMember.getByRole('button').first()).toBeVisible();
  }
  await checkScreenSizes(ada, 'group-info-group');
  await ada.keyboard.press('Escape');

  await bobContext.close();
});
