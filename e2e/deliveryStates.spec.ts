import { expect, test } from './fixtures/webShell';
import { openUnlocked, seedClock, startSeeded } from './fixtures/seededShell';
import { checkScreenSizes } from './helpers/screens';

/**
 * Issue #17 item 11: every delivery state has its own shape and an accessible
 * name; "held" names the contact holding it (never a PeerId); a message to a
 * blocked contact says it will not be delivered instead of a clock for ever.
 */
const { now, hour } = seedClock();

test('delivery states: distinct shapes and names, the holder by name, blocked says not delivered', async ({
  page,
  startShell,
}) => {
  const shell = await startSeeded(startShell, {
    contacts: ['Bob Stone', 'Carol Diaz', 'Dave Rivers'],
    conversations: [
      {
        kind: 'dm',
        with: 'Bob Stone',
        messages: [
          { from: 'me', body: 'Sending now', sentAt: now - 6 * hour, state: 'pending' },
          { from: 'me', body: 'Sent it', sentAt: now - 5 * hour, state: 'sent' },
          { from: 'me', body: 'Held it', sentAt: now - 4 * hour, state: 'held', heldBy: 'Carol Diaz' },
          { from: 'me', body: 'Delivered it', sentAt: now - 3 * hour, state: 'delivered' },
          { from: 'me', body: 'Read it', sentAt: now - 2 * hour, state: 'read' },
          { from: 'me', body: 'Failed it', sentAt: now - hour, state: 'failed' },
        ],
      },
      {
        kind: 'dm',
        with: 'Dave Rivers',
        blocked: true,
        messages: [{ from: 'me', body: 'Before I blocked you', sentAt: now - 7 * hour, state: 'pending' }],
      },
    ],
  });
  await openUnlocked(page, shell);
  await page.getByTestId('conversation-row').filter({ hasText: 'Bob Stone' }).click();

  const states = page.getByTestId('message-state');
  await expect(states).toHaveCount(6);
  const labels = await states.evaluateAll((els: { getAttribute(n: string): string | null }[]) =>
    els.map((el) => [el.getAttribute('data-shape'), el.getAttribute('aria-label')]),
  );
  expect(labels).toEqual([
    ['sending', 'Sending'],
    ['sent', 'Sent'],
    ['held', 'Held by Carol Diaz until the recipient is online'],
    ['delivered', 'Delivered'],
    ['read', 'Read'],
    ['failed', 'Not sent'],
  ]);
  // Each shape is drawn differently, not only coloured differently.
  const drawings = await states.evaluateAll((els: { innerHTML: string }[]) => els.map((el) => el.innerHTML));
  expect(new Set(drawings).size).toBe(6);
  await expect(page.locator('[data-testid="timeline"]')).not.toContainText('12D3KooW');

  // Message info says the same, by name.
  const held = page.getByTestId('message-wrap').filter({ hasText: 'Held it' });
  await held.click({ button: 'right' });
  await page.getByTestId('menu-info').click();
  await expect(page.getByTestId('info-state')).toHaveText('Held by Carol Diaz until the recipient is online');
  await page.keyboard.press('Escape');
  await checkScreenSizes(page, 'chat-delivery-states');

  // Blocked: the waiting message will not be delivered, and says why.
  await page.getByTestId('conversation-row').filter({ hasText: 'Dave Rivers' }).click();
  const blocked = page.getByTestId('message-state');
  await expect(blocked).toHaveAttribute('data-shape', 'undeliverable');
  await expect(blocked).toHaveAttribute('aria-label', 'Will not be delivered. You blocked Dave Rivers.');
  await checkScreenSizes(page, 'chat-blocked-undelivered');
});
