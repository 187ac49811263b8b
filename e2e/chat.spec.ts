import { expect, test } from './fixtures/webShell';
import { openUnlocked, seedClock, startSeeded } from './fixtures/seededShell';
import { checkScreen } from './helpers/screens';

const { now, hour, day } = seedClock();
const TEAM_MESSAGES = 2000;
const TEAM_STEP = 3 * hour;
const HOSTILE = '<b>not bold</b> <img src=x onerror=alert(1)>\nsecond line https://example.org/x';

test('home lists conversations by activity; a 2,000-message chat pages, separates days and marks read', async ({
  page,
  startShell,
}) => {
  test.setTimeout(120_000);
  const shell = await startSeeded(startShell, {
    contacts: ['Bob Stone', 'Carol Diaz', 'Dave Rivers'],
    conversations: [
      {
        kind: 'dm',
        with: 'Bob Stone',
        messages: [
          { from: 'Bob Stone', body: 'Are we still on for Friday?', sentAt: now - 3 * day, read: true },
          { from: 'me', body: 'Yes, 7 pm.', sentAt: now - 3 * day + 60_000, state: 'read' },
          { from: 'me', body: 'Bringing the maps.', sentAt: now - 2 * day, state: 'held' },
          { from: 'Bob Stone', body: null, sentAt: now - 2 * hour - 60_000 },
          { from: 'Bob Stone', body: HOSTILE, sentAt: now - 2 * hour },
        ],
      },
      {
        kind: 'group',
        name: 'Team',
        messages: [],
        bulk: {
          count: TEAM_MESSAGES,
          from: ['Carol Diaz', 'Dave Rivers', 'me'],
          // Three hours apart, ending half an hour ago: any screenful of the
          // newest (a dozen rows) spans a midnight whatever the time of day,
          // and Team stays the most recent conversation.
          startAt: now - (TEAM_MESSAGES - 1) * TEAM_STEP - hour / 2,
          stepMs: TEAM_STEP,
          body: (i) => `Team update ${i}`,
        },
      },
      {
        kind: 'dm',
        with: 'Carol Diaz',
        muted: true,
        messages: [
          { from: 'Carol Diaz', body: 'Muted hello', sentAt: now - 5 * day },
          { from: 'Carol Diaz', body: 'Muted again', sentAt: now - 5 * day + 1000 },
        ],
      },
    ],
  });
  await openUnlocked(page, shell);

  // --- Home list: order by activity, unread badges, muted icon, title count ---------
  const titles = page.getByTestId('conversation-title');
  await expect(titles).toHaveText(['Team', 'Bob Stone', 'Carol Diaz']);
  const rows = page.getByTestId('conversation-row');
  // Team: every third bulk message is ours, the rest are incoming and unread (badge caps at 999+).
  const teamUnread = Array.from({ length: TEAM_MESSAGES }, (_, i) => i % 3 !== 2).filter(Boolean).length;
  await expect(rows.nth(0).getByTestId('conversation-unread')).toContainText('999+');
  await expect(rows.nth(1).getByTestId('conversation-unread')).toContainText('2');
  await expect(rows.nth(2).getByTestId('conversation-muted')).toBeVisible();
  // Muted conversations do not count in the window title.
  await expect(page).toHaveTitle(`(${teamUnread + 2}) Parley`);
  await expect(rows.nth(1).getByTestId('conversation-preview')).toContainText('<b>not bold</b>');
  await checkScreen(page, 'home-list');

  // Filter uses conversations.list({ filter }).
  const filter = page.getByTestId('conversation-filter');
  await filter.fill('car');
  await expect(titles).toHaveText(['Carol Diaz']);
  await filter.fill('zzz');
  await expect(page.getByTestId('conversation-filter-empty')).toBeVisible();
  await filter.fill('');
  await expect(titles).toHaveText(['Team', 'Bob Stone', 'Carol Diaz']);

  // --- Keyboard: Down from the filter into the list, Down again, Enter opens Bob ---
  await filter.focus();
  await page.keyboard.press('ArrowDown');
  await expect(rows.nth(0)).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(rows.nth(1)).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('chat-title')).toHaveText('Bob Stone');

  // Bodies are text: the markup shows literally, no element is created, line breaks are kept.
  const hostile = page.getByTestId('message-body').filter({ hasText: 'not bold' });
  await expect(hostile).toHaveText(HOSTILE);
  await expect(page.locator('[data-testid="timeline"] b, [data-testid="timeline"] img')).toHaveCount(0);
  expect(await hostile.evaluate((el: { innerText: string }) => el.innerText)).toContain('\nsecond line');
  await expect(page.getByTestId('message-deleted')).toHaveText('This message was deleted');
  await expect(page.getByTestId('message-state').filter({ has: page.locator('[data-state]') })).toHaveCount(
    0,
  );
  await expect(page.locator('[data-testid="message-state"][data-state="read"]')).toHaveAttribute(
    'aria-label',
    'Read',
  );
  await expect(page.locator('[data-testid="message-state"][data-state="held"]')).toHaveAttribute(
    'aria-label',
    'Held by a contact until the recipient is online',
  );
  await expect(page.getByTestId('day-separator').first()).toBeVisible();
  await expect(page.getByTestId('unread-marker')).toHaveText('2 unread messages');
  await expect(page.getByTestId('composer-note')).toHaveText('Networking is off in this Parley.');
  await expect(page.getByTestId('composer-input')).toBeDisabled();
  // Seen to the bottom: marked read, the badge goes and the title counts only Team.
  await expect(rows.nth(1).getByTestId('conversation-unread')).toHaveCount(0);
  await expect(page).toHaveTitle(`(${teamUnread}) Parley`);
  await checkScreen(page, 'chat');

  // --- Alt+Up opens the previous conversation: Team, 2,000 messages -----------
  await page.keyboard.press('Alt+ArrowUp');
  await expect(page.getByTestId('chat-title')).toHaveText('Team');
  const last = page.getByTestId('message-body').filter({ hasText: `Team update ${TEAM_MESSAGES - 1}` });
  await expect(last).toBeVisible();
  // Virtualized: only a screenful (plus overscan) of rows is in the DOM.
  expect(await page.getByTestId('message').count()).toBeLessThan(80);
  // One message every three hours: the newest screenful crosses a day, whose separator shows.
  expect(await page.getByTestId('day-separator').count()).toBeGreaterThan(0);
  // Group: sender names shown.
  await expect(page.getByTestId('message-sender').first()).toBeVisible();

  const oldestShownId = async () =>
    Math.min(
      ...(await page
        .getByTestId('message')
        .evaluateAll((els: { getAttribute(n: string): string | null }[]) =>
          els.map((el) => Number(el.getAttribute('data-message-id'))),
        )),
    );
  const before = await oldestShownId();
  const timeline = page.getByTestId('timeline');
  // Scroll up repeatedly: older pages arrive and the view stays anchored (no jump to the top).
  for (let i = 0; i < 12; i++) {
    await timeline.hover();
    await page.mouse.wheel(0, -2500);
    await page.waitForTimeout(120);
  }
  await expect.poll(oldestShownId, { timeout: 10_000 }).toBeLessThan(before - 100);
  await expect(page.getByTestId('jump-to-latest')).toBeVisible();
  const scrollTop = await timeline.evaluate((el: { scrollTop: number }) => el.scrollTop);
  expect(scrollTop).toBeGreaterThan(0);

  // Jump to latest brings the newest message back.
  await page.getByTestId('jump-to-latest').click();
  await expect(last).toBeVisible();
  // The newest message was seen: Team is read too.
  await expect(page).toHaveTitle('Parley');
});
