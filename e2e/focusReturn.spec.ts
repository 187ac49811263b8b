import { openUnlocked, seedClock, startSeeded } from './fixtures/seededShell';
import { expect, test } from './fixtures/webShell';
import { checkScreenSizes } from './helpers/screens';

/**
 * Issue 17 item 2: focus returns to what opened a dialog, always, and Escape
 * closes the dialog on top whatever happened inside it (a button that was busy
 * for a moment, a shortcut that opened it from nowhere).
 */

async function startWithBob(startShell: Parameters<Parameters<typeof test>[2]>[0]['startShell']) {
  const { now, hour } = seedClock();
  return startSeeded(startShell, {
    displayName: 'Ada',
    contacts: ['Bob'],
    conversations: [
      {
        kind: 'dm',
        with: 'Bob',
        messages: [{ from: 'Bob', body: 'Hi Ada', sentAt: now - hour, read: true }],
      },
    ],
  });
}

test('focus: after Block the button keeps focus, Escape closes the contact, focus back on Contacts', async ({
  page,
  startShell,
}) => {
  const shell = await startWithBob(startShell);
  await openUnlocked(page, shell);

  const contactsButton = page.getByTestId('contacts-button');
  await contactsButton.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Contacts' })).toBeVisible();
  await page.getByTestId('contact-name').filter({ hasText: 'Bob' }).click();
  await expect(page.getByRole('dialog', { name: 'Bob' })).toBeVisible();

  const block = page.getByTestId('contact-block');
  await block.focus();
  await page.keyboard.press('Enter');
  await expect(block).toHaveText('Unblock Bob');
  // The button stays where the user is (it was disabled while busy, and focus fell to <body>).
  await expect(block).toBeFocused();
  await block.scrollIntoViewIfNeeded();
  await checkScreenSizes(page, 'focus-after-block');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(contactsButton).toBeFocused();
});

test('focus: Ctrl+N then Escape returns focus to where it was, or to the Add contact button', async ({
  page,
  startShell,
}) => {
  const shell = await startWithBob(startShell);
  await openUnlocked(page, shell);

  // From nothing in particular (the page itself has focus): the button the shortcut stands for.
  await page.keyboard.press('Control+n');
  await expect(page.getByRole('dialog', { name: 'Add contact' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByTestId('add-contact')).toBeFocused();

  // From the conversation row the user was on: back on that row.
  const row = page.getByTestId('conversation-row').filter({ hasText: 'Bob' });
  await row.click();
  await expect(page.getByTestId('chat-title')).toHaveText('Bob');
  await row.focus();
  await page.keyboard.press('Control+n');
  await expect(page.getByRole('dialog', { name: 'Add contact' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(row).toBeFocused();

  // Ctrl+Shift+N, the same.
  await page.keyboard.press('Control+Shift+n');
  await expect(page.getByRole('dialog', { name: 'New group' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(row).toBeFocused();
});
