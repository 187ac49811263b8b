import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/webShell';
import { connectTwoPeers, PEER_TIMEOUT } from './helpers/peers';
import { checkScreen } from './helpers/screens';
import { openSettings } from './helpers/settings';

/**
 * Rich messages between two real peers (issue #7 item 3): reply with a quote
 * that jumps to the original, reactions, edit (Up arrow) with the "edited"
 * marker on the other side, delete for everyone, typing indicator, the
 * context menu.
 */

const row = (page: Page, text: string) =>
  page
    .getByTestId('message-wrap')
    .filter({ has: page.getByTestId('message-body').filter({ hasText: text }) });

test('two peers: reply, react, edit, delete for everyone, typing', async ({ page, browser, startShell }) => {
  test.setTimeout(180_000);
  // Bob adds Ada by her invite (his DM with her opens); Ada opens it below.
  const { ada, bob, bobPeer, bobRow: bobRowOnAda } = await connectTwoPeers(page, browser, startShell);

  // Multi-line text (Shift+Enter) with markup and a URL, shown as text.
  const bobInput = bob.getByTestId('composer-input');
  await bobInput.fill('Hi Ada! <b>not bold</b>');
  await bobInput.press('Shift+Enter');
  await bobInput.pressSequentially('https://example.org/x');
  await bobInput.press('Enter');
  await expect(bobRowOnAda).toBeVisible({ timeout: PEER_TIMEOUT });
  await bobRowOnAda.click();
  await expect(ada.getByTestId('message-body')).toHaveText(
    ['Hi Ada! <b>not bold</b>\nhttps://example.org/x'],
    {
      timeout: PEER_TIMEOUT,
    },
  );
  await expect(ada.locator('.msg__body b')).toHaveCount(0);

  // Typing: Ada sees Bob typing.
  await bobInput.pressSequentially('Are you there');
  await expect(ada.getByTestId('typing-indicator')).toHaveText('Bob is typing…', { timeout: PEER_TIMEOUT });
  await bobInput.fill('');

  // Ada replies to Bob's message from its hover actions.
  const first = row(ada, 'Hi Ada!');
  await first.hover();
  await first.getByTestId('action-reply').click();
  await expect(ada.getByTestId('reply-banner')).toContainText('Replying to Bob');
  await expect(ada.getByTestId('composer-input')).toBeFocused();
  await ada.keyboard.type('Hello Bob 👋');
  await ada.keyboard.press('Enter');
  await expect(ada.getByTestId('reply-banner')).toHaveCount(0);
  const replyOnBob = row(bob, 'Hello Bob 👋');
  await expect(replyOnBob.getByTestId('reply-quote')).toContainText('Hi Ada!', { timeout: PEER_TIMEOUT });
  // The quote jumps to the original.
  await replyOnBob.getByTestId('reply-quote').click();
  await expect(row(bob, 'Hi Ada!').getByTestId('message')).toHaveAttribute('data-highlighted', 'true');

  // Bob reacts with 👍 from the picker; Ada adds hers by clicking the chip.
  const replyRow = row(bob, 'Hello Bob 👋');
  await replyRow.hover();
  await replyRow.getByTestId('action-react').click();
  // Found by name in the full picker; Enter picks the first result.
  await bob.getByTestId('emoji-picker').getByTestId('emoji-search').fill('thumbs up');
  await expect(
    bob.locator('[data-testid="emoji-results"][data-query="thumbs up"] [data-emoji="👍"]').first(),
  ).toBeVisible();
  await bob.getByTestId('emoji-search').press('Enter');
  await expect(replyRow.getByTestId('reaction-chip')).toHaveText('👍1');
  await expect(replyRow.getByTestId('reaction-chip')).toHaveAttribute('data-mine', 'true');
  const adaChip = row(ada, 'Hello Bob 👋').getByTestId('reaction-chip');
  await expect(adaChip).toHaveText('👍1', { timeout: PEER_TIMEOUT });
  await expect(adaChip).not.toHaveAttribute('data-mine', 'true');
  await adaChip.click();
  await expect(adaChip).toHaveText('👍2');
  await expect(replyRow.getByTestId('reaction-chip')).toHaveText('👍2', { timeout: PEER_TIMEOUT });

  // Ada edits her last message: Up arrow in the empty composer.
  await ada.getByTestId('composer-input').click();
  await ada.keyboard.press('ArrowUp');
  await expect(ada.getByTestId('edit-banner')).toBeVisible();
  await expect(ada.getByTestId('composer-input')).toHaveValue('Hello Bob 👋');
  await ada.getByTestId('composer-input').fill('Hello Bob, good to see you 👋');
  await ada.keyboard.press('Enter');
  const editedOnBob = row(bob, 'Hello Bob, good to see you 👋');
  await expect(editedOnBob.getByTestId('message-edited')).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect(editedOnBob.getByTestId('reaction-chip')).toHaveText('👍2');
  // The history is one click away.
  await editedOnBob.getByTestId('message-edited').click();
  await expect(bob.getByTestId('edit-version')).toHaveCount(2);
  await bob.keyboard.press('Escape');

  // A message Ada will delete for everyone.
  await ada.getByTestId('composer-input').fill('oops, wrong chat');
  await ada.keyboard.press('Enter');
  await expect(row(bob, 'oops, wrong chat')).toBeVisible({ timeout: PEER_TIMEOUT });

  await checkScreen(bob, 'chat-rich');

  // Right-click: the context menu, screenshotted, then delete for everyone with a confirm.
  await row(ada, 'oops, wrong chat').getByTestId('message-body').click({ button: 'right' });
  const menu = ada.getByTestId('message-menu');
  await expect(menu).toBeVisible();
  await expect(ada.getByTestId('menu-reply')).toBeFocused();
  await expect(menu.getByRole('menuitem')).toHaveText([
    'Reply',
    'React…',
    'Copy text',
    'Edit',
    'Delete…',
    'Info',
  ]);
  await ada.keyboard.press('ArrowUp');
  await expect(ada.getByTestId('menu-info')).toBeFocused();
  await checkScreen(ada, 'chat-context-menu');
  await ada.getByTestId('menu-delete').click();
  await expect(ada.getByTestId('delete-dialog')).toBeVisible();
  await ada.getByTestId('delete-for-everyone').click();
  await expect(ada.getByTestId('delete-dialog')).toHaveCount(0);
  await expect(bob.getByTestId('message-deleted')).toHaveText('This message was deleted', {
    timeout: PEER_TIMEOUT,
  });
  await expect(ada.getByTestId('message-deleted')).toHaveText('This message was deleted');
  await expect(bob.getByText('oops, wrong chat')).toHaveCount(0);

  // Settings → Chats: typing indicators off; then Bob's typing no longer shows for Ada.
  await openSettings(bob, 'chats');
  const typingSwitch = bob.getByTestId('settings-typing-indicators');
  await expect(typingSwitch).toBeChecked();
  await expect(bob.getByTestId('settings-read-receipts')).toBeChecked();
  await typingSwitch.uncheck();
  await expect(typingSwitch).not.toBeChecked();
  await bob.getByTestId('settings-back').click();
  await openSettings(bob, 'chats');
  await expect(bob.getByTestId('settings-typing-indicators')).not.toBeChecked();
  await bob.getByTestId('settings-back').click();
  await bob.getByTestId('conversation-row').filter({ hasText: 'Ada' }).click();
  await bob.getByTestId('composer-input').pressSequentially('quietly');
  await bob.getByTestId('composer-input').press('Enter');
  await expect(row(ada, 'quietly')).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect(ada.getByTestId('typing-indicator')).toHaveText('');

  await bobPeer.context.close();
  expect(bobPeer.problems, 'uncaught errors in Bob’s page').toEqual([]);
});
