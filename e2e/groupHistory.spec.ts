import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/webShell';
import { connectTwoPeers, openConversation, PEER_TIMEOUT } from './helpers/peers';
import { checkScreenSizes } from './helpers/screens';

/**
 * A group's history in its timeline (issue 17 item 10, issue 16 item 5): the
 * core stores each change as a structured event, the renderer words it, with
 * "You" for oneself. Ada makes a group with Bob, renames it, sets
 * disappearing messages and makes Bob an admin; Bob leaves. Each sees the
 * lines from their own side, and the home list previews the last one.
 */

/** The open chat's system lines, in timeline order. */
function systemLines(page: Page) {
  return page.getByTestId('timeline').locator('.msg-system');
}

test('group history: created, added, renamed, timer, admin, left — in words, "You" for oneself', async ({
  page,
  browser,
  startShell,
}) => {
  test.setTimeout(120_000);
  const { ada, bob, bobPeer } = await connectTwoPeers(page, browser, startShell);

  // Ada makes the group: she created it and added Bob; Bob was added by Ada.
  await ada.getByTestId('new-group').click();
  await ada.getByTestId('new-group-name').fill('Deck crew');
  await ada.getByRole('checkbox', { name: 'Bob' }).check();
  await ada.getByTestId('new-group-submit').click();
  await expect(ada.getByTestId('chat-title')).toHaveText('Deck crew', { timeout: PEER_TIMEOUT });
  await expect(systemLines(ada)).toHaveText(['You created the group', 'You added Bob']);
  await openConversation(bob, 'Deck crew');
  await expect(systemLines(bob)).toHaveText(['Ada added you'], { timeout: PEER_TIMEOUT });

  // Ada renames it from the info panel and makes Bob an admin.
  await ada.getByTestId('chat-info-button').click();
  const info = ada.getByRole('dialog', { name: 'Conversation info' });
  await expect(info).toBeVisible();
  await ada.getByTestId('info-rename-input').fill('Bridge crew');
  await ada.getByTestId('info-rename-save').click();
  await expect(ada.getByTestId('info-title')).toHaveText('Bridge crew', { timeout: PEER_TIMEOUT });
  const bobMember = ada.getByTestId('info-member').filter({ hasText: 'Bob' });
  await bobMember.getByRole('button', { name: 'Make Bob an admin' }).click();
  await expect(bobMember.getByTestId('info-member-role')).toHaveText('Admin', { timeout: PEER_TIMEOUT });
  await ada.keyboard.press('Escape');
  await expect(info).toHaveCount(0);

  // Disappearing messages, from the chat's timer menu.
  await ada.getByTestId('timer-button').click();
  await ada.getByRole('menuitemradio', { name: '1 day' }).click();
  await expect(ada.getByTestId('timer-button')).toHaveText(/1 day/);

  await expect(systemLines(ada)).toHaveText(
    [
      'You created the group',
      'You added Bob',
      'You renamed the group to “Bridge crew”',
      'You made Bob an admin',
      'You set disappearing messages to 1 day',
    ],
    { timeout: PEER_TIMEOUT },
  );
  await expect(systemLines(bob)).toHaveText(
    [
      'Ada added you',
      'Ada renamed the group to “Bridge crew”',
      'Ada made you an admin',
      'Ada set disappearing messages to 1 day',
    ],
    { timeout: PEER_TIMEOUT },
  );
  // The home list previews the last change in the same words.
  await expect(
    bob
      .getByTestId('conversation-row')
      .filter({ hasText: 'Bridge crew' })
      .getByTestId('conversation-preview'),
  ).toHaveText('Ada set disappearing messages to 1 day');
  await checkScreenSizes(bob, 'group-history');

  // Bob leaves: he reads "You left", Ada reads "Bob left".
  await bob.getByTestId('chat-info-button').click();
  await bob.getByTestId('info-leave').click();
  await bob.getByTestId('info-confirm-ok').click();
  await expect(bob.getByTestId('info-notice')).toContainText('You left', { timeout: PEER_TIMEOUT });
  await bob.keyboard.press('Escape');
  await expect(systemLines(bob).last()).toHaveText('You left');
  await expect(systemLines(ada).last()).toHaveText('Bob left', { timeout: PEER_TIMEOUT });
  await checkScreenSizes(ada, 'group-history-left');

  await bobPeer.context.close();
  expect(bobPeer.problems, 'CSP violations or uncaught errors in a peer page').toEqual([]);
});
