import { expect, test } from './fixtures/webShell';
import { seedClock } from './fixtures/seededShell';
import { openSeededChat } from './helpers/seededChat';
import { checkScreen, checkScreenSizes } from './helpers/screens';
import { TIMER_MENU_CHOICES } from './helpers/timerMenu';

/**
 * Issue #17 item 5: each disappearing message shows the time it has left, and
 * the timer goes from 30 seconds to 4 weeks, or a custom time.
 */
const { now, hour } = seedClock();
const WEEK = 7 * 24 * hour;

test('disappearing messages count down; timers from 30 seconds to 4 weeks, or custom', async ({
  page,
  startShell,
}) => {
  await openSeededChat(page, startShell, {
    disappearAfterMs: WEEK,
    messages: [
      { from: 'Bob Stone', body: 'This will vanish', sentAt: now - 25 * hour, read: true },
      { from: 'me', body: 'So will this', sentAt: now - 2 * hour, state: 'read' },
    ],
  });

  // A week after arrival: 6 days left for the one received 25 hours ago, 7 for the newer one.
  const countdowns = page.getByTestId('message-countdown');
  await expect(countdowns).toHaveText(['6d', '7d']);
  await expect(countdowns.first()).toHaveAttribute('aria-label', 'Disappears in 6 days');
  await checkScreenSizes(page, 'chat-countdown');

  // The timer menu: 30 seconds to 4 weeks, then Custom…
  const timer = page.getByTestId('timer-button');
  await expect(timer).toHaveText(/1 week/);
  await timer.click();
  const menu = page.getByRole('menu', { name: 'Disappearing messages' });
  await expect(menu.getByRole('menuitemradio')).toHaveText(TIMER_MENU_CHOICES);
  await checkScreen(page, 'timer-menu-durations');
  await menu.getByRole('menuitemradio', { name: 'Custom…' }).click();
  const dialog = page.getByTestId('custom-timer-dialog');
  await expect(dialog).toBeVisible();
  // Starts from the current timer, in its largest whole unit.
  await expect(page.getByTestId('custom-timer-amount')).toHaveValue('1');
  await expect(page.getByTestId('custom-timer-unit')).toHaveValue('weeks');
  await expect(page.getByTestId('custom-timer-amount')).toBeFocused();
  // Out of range: a clear error, nothing sent.
  await page.getByTestId('custom-timer-amount').fill('5');
  await page.getByTestId('custom-timer-save').click();
  await expect(page.getByTestId('custom-timer-error')).toHaveText(
    'Pick a time between 30 seconds and 4 weeks.',
  );
  await page.getByTestId('custom-timer-amount').fill('10');
  await page.getByTestId('custom-timer-unit').selectOption('days');
  await expect(page.getByTestId('custom-timer-save')).toHaveText('Set 10 days');
  await checkScreen(page, 'custom-timer');
  await page.getByTestId('custom-timer-save').click();
  await expect(dialog).toHaveCount(0);
  // This shell has no network: the change cannot reach Bob, and the user is told so; focus is back on the timer.
  await expect(page.getByTestId('conversation-action-error')).toBeVisible();
  await expect(timer).toBeFocused();
});
