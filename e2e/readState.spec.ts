import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures/webShell';
import { connectTwoPeers, openConversation, PEER_TIMEOUT, sendMessage } from './helpers/peers';
import { encodePng } from './helpers/png';
import { checkScreenSizes } from './helpers/screens';

/**
 * Issue 13, finding 5: "Read" was sent for messages the reader had not seen
 * (three messages landed below the fold and Ada's ticks turned Read half a
 * second later), the list kept an unread badge and "Jump to latest" while
 * the conversation was open and fully visible, and the view did not follow
 * new file messages, one's own included. Now a message is read only once it
 * was visible in a focused window; the view follows one's own messages
 * always and others' when it is at the bottom.
 */

/** How long a "not read" must hold to count (a receipt on its way would arrive well within it). */
const QUIET_MS = 2_000;

/** The element lies within the timeline's visible box (the part the reader can see). */
async function inView(page: Page, element: Locator): Promise<boolean> {
  // The timeline is virtualized: a row far off screen is not even in the page.
  if ((await element.count()) === 0) return false;
  const box = await element.boundingBox({ timeout: 1_000 });
  const view = await page.getByTestId('timeline').boundingBox();
  if (!box || !view) return false;
  return box.y >= view.y - 2 && box.y + box.height <= view.y + view.height + 2;
}

const lastBody = (page: Page, text: string) =>
  page.getByTestId('message-body').filter({ hasText: text }).last();
/** Ada's own message by its text: its delivery state ("delivered", "read"). */
const stateOf = (page: Page, text: string) =>
  page.getByTestId('message').filter({ hasText: text }).last().getByTestId('message-state');

async function sendQuickly(page: Page, texts: string[]): Promise<void> {
  const input = page.getByTestId('composer-input');
  for (const t of texts) {
    await input.fill(t);
    await input.press('Enter');
  }
  await expect(lastBody(page, texts.at(-1) ?? '')).toBeVisible();
}

/** A small PNG (a diagonal gradient), so the bubble grows when its thumbnail loads. */
const png = (width: number, height: number): Buffer =>
  encodePng(width, height, (x, y) => [Math.round((255 * x) / width), Math.round((255 * y) / height), 160]);

test('read state: read only when seen in a focused window; the view follows; badges and Jump clear', async ({
  page,
  browser,
  startShell,
}) => {
  test.setTimeout(180_000);
  const { ada, bob, bobPeer } = await connectTwoPeers(page, browser, startShell);
  await openConversation(ada, 'Bob');
  // Enough history that Bob's timeline scrolls.
  await sendQuickly(
    ada,
    Array.from({ length: 30 }, (_, i) => `history ${i + 1}`),
  );
  await expect(lastBody(bob, 'history 30')).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect(stateOf(ada, 'history 30')).toHaveAttribute('data-state', 'read', { timeout: PEER_TIMEOUT });

  // --- At the bottom: new messages are followed into view, and only then read ------------
  await sendQuickly(ada, ['fold 1', 'fold 2', 'fold 3']);
  await expect(lastBody(bob, 'fold 3')).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect.poll(() => inView(bob, lastBody(bob, 'fold 3'))).toBe(true);
  await expect(stateOf(ada, 'fold 3')).toHaveAttribute('data-state', 'read', { timeout: PEER_TIMEOUT });
  await expect(bob.getByTestId('jump-to-latest')).toHaveCount(0);

  // --- Scrolled up: not followed, not read; the badge and Jump to latest say so ------------
  await bob.getByTestId('timeline').hover();
  for (let i = 0; i < 4; i++) await bob.mouse.wheel(0, -3000);
  await expect(bob.getByTestId('jump-to-latest')).toBeVisible();
  await sendQuickly(ada, ['unseen 1', 'unseen 2']);
  await expect(stateOf(ada, 'unseen 2')).toHaveAttribute('data-state', 'delivered', {
    timeout: PEER_TIMEOUT,
  });
  await bob.waitForTimeout(QUIET_MS);
  await expect(stateOf(ada, 'unseen 2')).toHaveAttribute('data-state', 'delivered');
  expect(await inView(bob, bob.getByTestId('message-body').filter({ hasText: 'unseen 2' }))).toBe(false);
  const adaRow = bob.getByTestId('conversation-row').filter({ hasText: 'Ada' });
  await expect(adaRow.getByTestId('conversation-unread')).toContainText('2');
  await checkScreenSizes(bob, 'chat-unseen');
  // Jump to latest: seen, so read; the badge and the button go.
  await bob.getByTestId('jump-to-latest').click();
  await expect(stateOf(ada, 'unseen 2')).toHaveAttribute('data-state', 'read', { timeout: PEER_TIMEOUT });
  await expect(adaRow.getByTestId('conversation-unread')).toHaveCount(0);
  await expect(bob.getByTestId('jump-to-latest')).toHaveCount(0);

  // --- A window in the background reads nothing, though the view follows ---------------------
  await bob.evaluate("window.dispatchEvent(new Event('blur'))");
  await sendQuickly(ada, ['while away']);
  await expect(stateOf(ada, 'while away')).toHaveAttribute('data-state', 'delivered', {
    timeout: PEER_TIMEOUT,
  });
  await bob.waitForTimeout(QUIET_MS);
  await expect(stateOf(ada, 'while away')).toHaveAttribute('data-state', 'delivered');
  await expect(adaRow.getByTestId('conversation-unread')).toContainText('1');
  await bob.evaluate("window.dispatchEvent(new Event('focus'))");
  await expect(stateOf(ada, 'while away')).toHaveAttribute('data-state', 'read', { timeout: PEER_TIMEOUT });
  await expect(adaRow.getByTestId('conversation-unread')).toHaveCount(0);

  // --- Files: one's own always followed, others' at the bottom, also once the image loads ---
  await bob.getByTestId('timeline').hover();
  for (let i = 0; i < 4; i++) await bob.mouse.wheel(0, -3000);
  await expect(bob.getByTestId('jump-to-latest')).toBeVisible();
  await bob
    .getByTestId('composer-file-input')
    .setInputFiles([{ name: 'own-photo.png', mimeType: 'image/png', buffer: png(640, 480) }]);
  const ownBubble = bob.getByTestId('file-bubble').filter({ hasText: 'own-photo.png' });
  await expect(ownBubble).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect.poll(() => inView(bob, ownBubble), { timeout: 5_000 }).toBe(true);
  await expect(bob.getByTestId('jump-to-latest')).toHaveCount(0);
  await ada
    .getByTestId('composer-file-input')
    .setInputFiles([{ name: 'from-ada.png', mimeType: 'image/png', buffer: png(480, 640) }]);
  const adaBubble = bob.getByTestId('file-bubble').filter({ hasText: 'from-ada.png' });
  await expect(adaBubble).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect.poll(() => inView(bob, adaBubble), { timeout: 5_000 }).toBe(true);
  await expect(stateOf(ada, 'from-ada.png')).toHaveAttribute('data-state', 'read', { timeout: PEER_TIMEOUT });
  await checkScreenSizes(bob, 'chat-followed-file');

  // --- Another conversation, short enough to show whole: no stale Jump, its badge clears ----
  await bob.getByTestId('timeline').hover();
  for (let i = 0; i < 4; i++) await bob.mouse.wheel(0, -3000);
  await expect(bob.getByTestId('jump-to-latest')).toBeVisible();
  await ada.getByTestId('new-group').click();
  await ada.getByTestId('new-group-name').fill('Pair');
  await ada.getByRole('checkbox', { name: 'Bob' }).check();
  await ada.getByTestId('new-group-submit').click();
  await expect(ada.getByTestId('chat-title')).toHaveText('Pair', { timeout: PEER_TIMEOUT });
  const pairRow = bob.getByTestId('conversation-row').filter({ hasText: 'Pair' });
  await expect(pairRow).toBeVisible({ timeout: PEER_TIMEOUT });
  await sendMessage(ada, 'short one');
  await expect(pairRow.getByTestId('conversation-unread')).toContainText('1', { timeout: PEER_TIMEOUT });
  await pairRow.click();
  await expect(lastBody(bob, 'short one')).toBeVisible();
  await expect(pairRow.getByTestId('conversation-unread')).toHaveCount(0);
  await expect(bob.getByTestId('jump-to-latest')).toHaveCount(0);
  await expect(stateOf(ada, 'short one')).toHaveAttribute('data-state', 'read', { timeout: PEER_TIMEOUT });

  await bobPeer.context.close();
  expect(bobPeer.problems).toEqual([]);
});
