import { expect, test } from './fixtures/webShell';
import { openUnlocked, seedClock, startSeeded } from './fixtures/seededShell';
import { checkScreen } from './helpers/screens';

const { now, hour, day } = seedClock();

test('search as you type, highlights, filters, and Enter jumps to the message in context', async ({
  page,
  startShell,
}) => {
  test.setTimeout(90_000);
  const shell = await startSeeded(startShell, {
    contacts: ['Bob', 'Carol'],
    conversations: [
      {
        kind: 'dm',
        with: 'Bob',
        // The hit sits 300 messages deep, far outside the latest page: the jump must load around it.
        messages: [
          { from: 'Bob', body: 'The pineapple crate arrived <i>today</i>', sentAt: now - 400 * hour },
        ],
        bulk: {
          count: 300,
          from: ['Bob', 'me'],
          startAt: now - 300 * hour,
          stepMs: hour,
          body: (i) => `Routine note ${i}`,
        },
      },
      {
        kind: 'dm',
        with: 'Carol',
        messages: [{ from: 'Carol', body: 'I also like pineapple', sentAt: now - 2 * day }],
      },
    ],
  });
  await openUnlocked(page, shell);

  await page.keyboard.press('Control+K');
  const input = page.getByTestId('search-input');
  await expect(input).toBeFocused();

  await input.pressSequentially('pineapple', { delay: 20 });
  await expect(page.getByTestId('search-hit')).toHaveCount(2);

  await input.fill('pineapple from:Bob');
  const hits = page.getByTestId('search-hit');
  await expect(hits).toHaveCount(1);
  await expect(hits.first().getByTestId('search-hit-conversation')).toHaveText('Bob');
  // Issue 17 item 20: a DM's hit said "Bob · Bob"; the other person of a DM is the conversation.
  await expect(hits.first().getByTestId('search-hit-sender')).toHaveCount(0);
  // …and its time is written like the chat's: date and the same clock, the full form on hover.
  const stamp = hits.first().getByTestId('search-hit-date');
  await expect(stamp).not.toHaveText(/^0\d:/);
  await expect(stamp).toHaveAttribute('title', /\d{4}/);
  await expect(hits.first().locator('mark')).toHaveText(['pineapple']);
  // The snippet's markup is text.
  await expect(hits.first().getByTestId('search-hit-snippet')).toContainText('<i>today</i>');
  await expect(hits.first()).toHaveAttribute('aria-selected', 'true');
  await checkScreen(page, 'search');

  // A problem in the query is shown as a hint.
  await input.fill('pineapple before:someday');
  await expect(page.getByTestId('search-problems')).toBeVisible();
  await checkScreen(page, 'search-problems');

  // A chip adds a filter to the query.
  await input.fill('pineapple');
  await page.getByTestId('search-chip-has-file').click();
  await expect(input).toHaveValue('pineapple has:file ');
  await expect(page.getByTestId('search-status')).toHaveText('No messages match.');

  await input.fill('pineapple from:Bob');
  await expect(hits).toHaveCount(1);
  const messageId = await hits.first().getAttribute('data-message-id');
  await input.press('Enter');

  // The dialog closes, Bob's conversation opens around the hit, which is visible and highlighted.
  await expect(page.getByTestId('search-panel')).toHaveCount(0);
  await expect(page.getByTestId('chat-title')).toHaveText('Bob');
  const target = page.locator(`[data-testid="message"][data-message-id="${messageId}"]`);
  await expect(target).toBeVisible();
  await expect(target).toHaveAttribute('data-highlighted', 'true');
  await expect(target.getByTestId('message-body')).toHaveText('The pineapple crate arrived <i>today</i>');
  await expect(page.getByTestId('jump-to-latest')).toBeVisible();
  await checkScreen(page, 'chat-jump');

  // Scope: within this conversation Carol's message is not found.
  await page.keyboard.press('Control+K');
  await input.fill('pineapple');
  await expect(hits).toHaveCount(2);
  await page.getByTestId('search-scope-conversation').click();
  await expect(hits).toHaveCount(1);
  await input.press('Escape');
  await expect(page.getByTestId('search-panel')).toHaveCount(0);

  // Jump to latest loads the newest page (the view was opened around an old message).
  await page.getByTestId('jump-to-latest').click();
  await expect(page.getByTestId('message-body').filter({ hasText: 'Routine note 299' })).toBeVisible();
});

test('search finds conversations and contacts by name as well as messages, Signal-style', async ({
  page,
  startShell,
}) => {
  test.setTimeout(90_000);
  const shell = await startSeeded(startShell, {
    contacts: ['Zoë Ångström', 'Bob', 'Carol'],
    conversations: [
      {
        kind: 'dm',
        with: 'Bob',
        messages: [{ from: 'Bob', body: 'Zoe says hi', sentAt: now - 3 * hour }],
      },
      {
        kind: 'group',
        name: 'Zoology club',
        messages: [{ from: 'me', body: 'Welcome everyone', sentAt: now - 2 * hour }],
      },
      {
        kind: 'dm',
        with: 'Zoë Ångström',
        messages: [{ from: 'Zoë Ångström', body: 'See you at the lab', sentAt: now - day }],
      },
    ],
  });
  await openUnlocked(page, shell);
  await page.keyboard.press('Control+K');
  const input = page.getByTestId('search-input');

  // Issue 17 item 6: only messages were found. Accents and case are folded.
  await input.pressSequentially('zo', { delay: 20 });
  const conversations = page.getByTestId('search-conversation');
  // Most recent first, as in the conversation list.
  await expect(conversations).toHaveText([/Zoology club\s*Group/, /Zoë Ångström\s*Direct message/]);
  await expect(page.getByRole('group', { name: 'Conversations' })).toBeVisible();
  await input.fill('zoe');
  await expect(conversations).toHaveText([/Zoë Ångström/]);
  await expect(page.getByRole('group', { name: 'Messages' }).getByTestId('search-hit')).toHaveCount(1);
  await expect(page.getByTestId('search-status')).toHaveText(
    '1 conversation and 1 message. Up and Down to choose, Enter to open.',
  );
  await checkScreen(page, 'search-combined');

  // Arrows move through names and messages alike; Enter opens the conversation.
  await expect(conversations.first()).toHaveAttribute('aria-selected', 'true');
  await input.press('ArrowDown');
  await expect(page.getByTestId('search-hit').first()).toHaveAttribute('aria-selected', 'true');
  await input.press('ArrowUp');
  await input.press('Enter');
  await expect(page.getByTestId('search-panel')).toHaveCount(0);
  await expect(page.getByTestId('chat-title')).toHaveText('Zoë Ångström');

  // A contact without a conversation is found too; Enter shows their card.
  await page.keyboard.press('Control+K');
  await input.fill('car');
  await expect(page.getByTestId('search-contact')).toHaveText([/Carol\s*Contact/]);
  await expect(page.getByRole('group', { name: 'Contacts' })).toBeVisible();
  await expect(page.getByTestId('search-no-messages')).toHaveText('No messages match.');
  await input.press('Enter');
  await expect(page.getByTestId('search-panel')).toHaveCount(0);
  await expect(page.getByRole('dialog', { name: /Carol/ })).toBeVisible();
  await page.keyboard.press('Escape');

  // A filter asks about messages only.
  await page.keyboard.press('Control+K');
  await input.fill('hi from:Bob');
  await expect(page.getByTestId('search-hit')).toHaveCount(1);
  await expect(conversations).toHaveCount(0);
});
