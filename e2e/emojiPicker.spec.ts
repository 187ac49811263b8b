import { expect, test } from './fixtures/webShell';
import { seedClock } from './fixtures/seededShell';
import { openSeededChat } from './helpers/seededChat';
import { checkScreenSizes } from './helpers/screens';

/**
 * Issue #17 item 4: a full emoji picker with search and recent emoji, for
 * reactions (it opens beside the message, inside the window) and the composer.
 */
const { now, hour } = seedClock();

test('emoji picker: search by name or keyword, keyboard, recent emoji first', async ({
  page,
  startShell,
}) => {
  await openSeededChat(page, startShell, {
    online: true,
    messages: [
      { from: 'Bob Stone', body: 'Lunch at noon?', sentAt: now - 2 * hour, read: true },
      { from: 'me', body: 'Sounds good', sentAt: now - hour, state: 'read' },
    ],
  });
  const incoming = page.getByTestId('message-wrap').filter({ hasText: 'Lunch at noon?' });
  await incoming.hover();
  await incoming.getByTestId('action-react').click();

  const picker = page.getByTestId('emoji-picker');
  const search = picker.getByTestId('emoji-search');
  await expect(search).toBeFocused();
  // Nothing used yet: the common reactions, then every section.
  await expect(picker.getByRole('heading', { name: 'Frequently used' })).toBeVisible();
  // The full set is its own chunk, fetched on first open: on a loaded machine it lands a moment
  // after the frequently used row, so wait for it rather than count once.
  await expect.poll(() => picker.getByTestId('emoji-option').count()).toBeGreaterThan(1500);
  // Inside the window, beside the message.
  const box = await picker.boundingBox();
  const viewport = page.viewportSize();
  expect(box && viewport && box.y >= 0 && box.y + box.height <= viewport.height).toBe(true);

  // By name and by keyword ("celebration" is a keyword of 🎉, not in its name "party popper").
  await search.fill('party');
  const results = picker.locator('[data-testid="emoji-results"][data-query="party"]');
  await expect(results.locator('[data-emoji="🎉"]')).toBeVisible();
  await search.fill('celebration');
  await expect(
    picker.locator('[data-testid="emoji-results"][data-query="celebration"] [data-emoji="🎉"]'),
  ).toBeVisible();
  await search.fill('thumbs up');
  await expect(
    picker
      .locator('[data-testid="emoji-results"][data-query="thumbs up"] [data-testid="emoji-option"]')
      .first(),
  ).toHaveAttribute('aria-label', 'thumbs up');
  await search.fill('zzqx');
  await expect(picker.getByTestId('emoji-no-results')).toHaveText('No emoji found for “zzqx”');

  // Keyboard: Down into the results, Right to the next, Enter picks it.
  await search.fill('cat');
  const catResults = picker.locator(
    '[data-testid="emoji-results"][data-query="cat"] [data-testid="emoji-option"]',
  );
  await expect(catResults.first()).toBeVisible();
  const second = await catResults.nth(1).getAttribute('data-emoji');
  await search.press('ArrowDown');
  await expect(catResults.first()).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(catResults.nth(1)).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(picker).toHaveCount(0);
  // Focus goes back to the message.
  await expect(incoming).toBeFocused();

  // A seeded conversation has no group to send in: the reaction is refused, clearly.
  await page.getByRole('button', { name: 'Dismiss' }).click();

  // The composer's picker lists it under Recent; Escape closes and focus returns.
  await page.getByTestId('composer-emoji').click();
  const composerPicker = page.getByTestId('composer-emoji-picker');
  await expect(composerPicker.getByRole('heading', { name: 'Recent' })).toBeVisible();
  await expect(
    composerPicker.getByTestId('emoji-recent').getByTestId('emoji-option').first(),
  ).toHaveAttribute('data-emoji', second ?? '');
  await composerPicker.getByTestId('emoji-search').fill('grin');
  await expect(composerPicker.locator('[data-testid="emoji-results"][data-query="grin"]')).toBeVisible();
  // The colour emoji font comes in pieces on first use (font-display: swap).
  await page.evaluate('document.fonts.ready.then(() => undefined)');
  await checkScreenSizes(page, 'emoji-picker');
  await page.keyboard.press('Escape');
  await expect(composerPicker).toHaveCount(0);
});
