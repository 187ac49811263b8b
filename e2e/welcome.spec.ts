import { openUnlocked, startSeeded } from './fixtures/seededShell';
import { expect, test } from './fixtures/webShell';
import { checkScreenSizes } from './helpers/screens';

/**
 * Issue 17 item 8: the empty home screen invites the first step with two
 * labelled buttons, not only the sidebar's unlabeled icons.
 */
test('welcome: an empty home offers "Add a contact" and "New group"; each opens its dialog and focus comes back', async ({
  page,
  startShell,
}) => {
  const shell = await startSeeded(startShell, { contacts: [], conversations: [] });
  await openUnlocked(page, shell);

  const main = page.getByRole('main');
  const add = main.getByRole('button', { name: 'Add a contact' });
  const group = main.getByRole('button', { name: 'New group' });
  await expect(add).toBeVisible();
  await expect(group).toBeVisible();
  await checkScreenSizes(page, 'home-empty');

  await add.click();
  await expect(page.getByRole('dialog', { name: 'Add contact' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(add).toBeFocused();

  await group.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'New group' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(group).toBeFocused();
});

test('welcome: with conversations the buttons give way to "pick a conversation"', async ({
  page,
  startShell,
}) => {
  const shell = await startSeeded(startShell, {
    contacts: ['Bob'],
    conversations: [{ kind: 'dm', with: 'Bob', messages: [] }],
  });
  await openUnlocked(page, shell);
  await expect(page.getByRole('main')).toContainText('Pick a conversation on the left');
  await expect(page.getByRole('main').getByRole('button', { name: 'Add a contact' })).toHaveCount(0);
});
