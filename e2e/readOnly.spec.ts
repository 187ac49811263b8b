import { expect, test } from './fixtures/webShell';
import { connectTwoPeers, openConversation, PEER_TIMEOUT, sendMessage } from './helpers/peers';
import { checkScreen } from './helpers/screens';

/**
 * Read-only conversations: once Bob leaves a group, its chat shows why it is
 * read-only in place of the composer (no text field, attach or emoji), and
 * the history stays readable.
 */

test('leaving a group turns its composer into a read-only notice', async ({ page, browser, startShell }) => {
  test.setTimeout(150_000);
  const { ada, bob, bobPeer, bobRow } = await connectTwoPeers(page, browser, startShell);

  // Ada stays on the home screen while Bob writes three times: opening the chat, the unread
  // marker counts all three and sits before the first (it once counted only the latest few).
  for (const text of ['one', 'two', 'three']) await sendMessage(bob, text);
  await expect(bobRow.getByTestId('conversation-preview')).toHaveText('three', { timeout: PEER_TIMEOUT });
  await bobRow.click();
  await expect(ada.getByTestId('unread-marker')).toHaveText('3 unread messages');
  await expect(ada.getByTestId('message-body')).toHaveText(['one', 'two', 'three']);
  const rows = ada
    .getByTestId('timeline')
    .locator('[data-testid="unread-marker"], [data-testid="message-body"]');
  await expect(rows.first()).toHaveAttribute('data-testid', 'unread-marker');

  // Ada makes a group with Bob and says something in it.
  await ada.getByTestId('new-group').click();
  await ada.getByTestId('new-group-name').fill('Engines');
  await ada.getByRole('checkbox', { name: 'Bob' }).check();
  await ada.getByTestId('new-group-submit').click();
  await expect(ada.getByTestId('chat-title')).toHaveText('Engines', { timeout: PEER_TIMEOUT });
  await sendMessage(ada, 'boilers at noon');

  // Bob sees it, with a composer, then leaves from the info panel.
  await openConversation(bob, 'Engines');
  await expect(bob.getByTestId('message-body').filter({ hasText: 'boilers at noon' })).toBeVisible({
    timeout: PEER_TIMEOUT,
  });
  await expect(bob.getByTestId('composer-input')).toBeVisible();
  await expect(bob.getByTestId('chat-readonly')).toHaveCount(0);
  await bob.getByTestId('chat-info-button').click();
  await bob.getByTestId('info-leave').click();
  await bob.getByTestId('info-confirm-ok').click();
  await expect(bob.getByTestId('info-notice')).toContainText('You left', { timeout: PEER_TIMEOUT });
  await bob.keyboard.press('Escape');

  // The composer is gone, replaced by the reason; the history is still there.
  await expect(bob.getByTestId('chat-readonly-reason')).toHaveText('You left this group.', {
    timeout: PEER_TIMEOUT,
  });
  await expect(bob.getByTestId('composer-input')).toHaveCount(0);
  await expect(bob.getByTestId('composer-emoji')).toHaveCount(0);
  await expect(bob.getByTestId('composer-attach')).toHaveCount(0);
  await expect(bob.getByTestId('timer-button')).toHaveCount(0);
  await expect(bob.getByTestId('message-body').filter({ hasText: 'boilers at noon' })).toBeVisible();
  await checkScreen(bob, 'chat-readonly');

  // Ada stays in the group and can still write.
  await expect(ada.getByTestId('composer-input')).toBeVisible();
  await expect(ada.getByTestId('chat-readonly')).toHaveCount(0);

  await bobPeer.context.close();
  expect(bobPeer.problems, 'CSP violations or uncaught errors in Bob’s page').toEqual([]);
});
