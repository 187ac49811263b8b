import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures/webShell';
import { openUnlocked, seedClock, startSeeded } from './fixtures/seededShell';
import { checkScreenSizes } from './helpers/screens';

/**
 * Issue 17 item 14 (and the header half of item 21): at 800 px the contact's
 * name was cut to "B…" beside secondary text, the sidebar stayed 300 px, and
 * the disappearing-messages pill moved with the length of the title.
 */

const LONG = 'Bartholomew Montgomery-Fitzgerald';

async function openChat(page: Page, name: string): Promise<void> {
  await page.getByTestId('conversation-row').filter({ hasText: name }).click();
  await expect(page.getByTestId('chat-title')).toHaveText(name);
}

/** Whether an element shows all of its text (no ellipsis). */
function whole(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el.scrollWidth <= el.clientWidth);
}

async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await locator.boundingBox();
  if (!b) throw new Error('not visible');
  return b;
}

test('narrow window: whole names, a pinned timer pill, a resizable and collapsible sidebar', async ({
  page,
  startShell,
}) => {
  test.setTimeout(120_000);
  const { now, hour } = seedClock();
  const shell = await startSeeded(startShell, {
    contacts: ['Bob', 'Cleo', LONG],
    conversations: [
      {
        kind: 'dm',
        with: LONG,
        messages: [{ from: LONG, body: 'Did you get the slides?', sentAt: now - 2 * hour, read: true }],
      },
      {
        kind: 'dm',
        with: 'Cleo',
        messages: [{ from: 'Cleo', body: 'New photos are up', sentAt: now - 3 * hour }],
      },
      {
        kind: 'dm',
        with: 'Bob',
        messages: [{ from: 'Bob', body: 'Lunch at 12:30?', sentAt: now - hour }],
      },
    ],
  });
  await page.setViewportSize({ width: 800, height: 600 });
  await openUnlocked(page, shell);
  const sidebar = page.getByTestId('sidebar');

  // The window decides the width until the user drags it: less than 300 px at 800.
  expect((await box(sidebar)).width).toBeLessThanOrEqual(250);

  // The title comes first, whole, on its own line.
  await openChat(page, LONG);
  const title = page.getByTestId('chat-title');
  expect(await whole(title)).toBe(true);
  const pill = page.getByTestId('timer-button');
  const pillWithLong = await box(pill);
  expect(pillWithLong.x).toBeGreaterThan((await box(title)).x + (await box(title)).width);

  // The pill stays where it was for a short name (it drifted with the title before).
  await openChat(page, 'Bob');
  expect(await box(pill)).toEqual(pillWithLong);
  await checkScreenSizes(page, 'narrow-chat-header');

  // Resize by dragging the handle, and by keyboard.
  const handle = page.getByRole('separator', { name: 'Conversation list width' });
  const start = await box(handle);
  await page.mouse.move(start.x + start.width / 2, 300);
  await page.mouse.down();
  await page.mouse.move(start.x + 80, 300, { steps: 5 });
  await page.mouse.up();
  const dragged = (await box(sidebar)).width;
  expect(dragged).toBeGreaterThan(300);
  await expect(handle).toHaveAttribute('aria-valuenow', String(Math.round(dragged)));
  await handle.focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => Math.round((await box(sidebar)).width)).toBe(Math.round(dragged) - 32);
  await page.keyboard.press('Home');
  await expect(handle).toHaveAttribute('aria-valuenow', '220');

  // Collapse to a rail: avatars only, names still there for screen readers and on hover.
  await page.getByRole('button', { name: 'Collapse the conversation list' }).click();
  await expect(page.getByTestId('home-screen')).toHaveClass(/home--rail/);
  expect((await box(sidebar)).width).toBeLessThan(100);
  const cleoRow = page.getByTestId('conversation-row').filter({ hasText: 'Cleo' });
  await expect(cleoRow).toHaveAttribute('title', 'Cleo');
  await expect(cleoRow).toHaveAccessibleName(/Cleo.*1 unread/);
  await expect(page.getByTestId('lock-button')).toBeVisible();
  await checkScreenSizes(page, 'narrow-sidebar-rail');
  await openChat(page, LONG);
  expect(await whole(page.getByTestId('chat-title'))).toBe(true);

  // The layout holds after a reload; Enter on the handle expands again.
  await page.reload();
  await expect(page.getByTestId('home-screen')).toHaveClass(/home--rail/);
  await handle.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('home-screen')).not.toHaveClass(/home--rail/);
  await expect(handle).toHaveAttribute('aria-valuenow', '220');
  await expect(page.getByRole('button', { name: 'Collapse the conversation list' })).toHaveAttribute(
    'aria-expanded',
    'true',
  );
});
