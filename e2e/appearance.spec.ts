import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures/webShell';
import { openUnlocked, seedClock, startSeeded } from './fixtures/seededShell';
import { checkScreen, checkScreenSizes } from './helpers/screens';
import { openSettings } from './helpers/settings';

/**
 * Issue 17 item 7: an in-app theme (system / light / dark) and a text size,
 * in Settings → Appearance; both apply at once, hold after a reload, and
 * reach the screens before unlock too.
 */

// e2e/ compiles without the DOM library: the few browser globals used, named.
type Win = {
  document: { body: unknown; documentElement: unknown };
  getComputedStyle(el: unknown): { backgroundColor: string; fontSize: string };
};

/** The page's background colour and body text size as the browser computed them. */
function looks(page: Page): Promise<{ background: string; fontSize: string }> {
  return page.evaluate(() => {
    const win = globalThis as unknown as Win;
    const body = win.getComputedStyle(win.document.body);
    return { background: body.backgroundColor, fontSize: body.fontSize };
  });
}

/** The most lines any one text of an element takes (distinct tops of its line boxes). */
function lineCount(locator: Locator): Promise<number> {
  type Range = { selectNodeContents(n: unknown): void; getClientRects(): ArrayLike<{ top: number }> };
  type Doc = {
    createRange(): Range;
    createTreeWalker(root: unknown, show: number): { nextNode(): { textContent: string | null } | null };
  };
  return locator.evaluate((el) => {
    const doc = (globalThis as unknown as { document: Doc }).document;
    const texts = doc.createTreeWalker(el, 4 /* NodeFilter.SHOW_TEXT */);
    let most = 0;
    for (let node = texts.nextNode(); node; node = texts.nextNode()) {
      if (!node.textContent?.trim()) continue;
      const range = doc.createRange();
      range.selectNodeContents(node);
      most = Math.max(most, new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top))).size);
    }
    return most;
  });
}

// tokens.css --bg in each scheme.
const LIGHT_BG = 'rgb(244, 246, 249)';
const DARK_BG = 'rgb(14, 18, 24)';

test('appearance: theme and text size apply at once, persist, and reach the unlock screen', async ({
  page,
  startShell,
}) => {
  test.setTimeout(90_000);
  const { now, hour } = seedClock();
  const shell = await startSeeded(startShell, {
    contacts: ['Bob'],
    conversations: [
      {
        kind: 'dm',
        with: 'Bob',
        messages: [
          { from: 'Bob', body: 'Are we still on for lunch tomorrow?', sentAt: now - hour, read: true },
          { from: 'me', body: 'Yes! 12:30 at the usual place.', sentAt: now - hour / 2, state: 'read' },
        ],
      },
    ],
  });
  await page.emulateMedia({ colorScheme: 'light' });
  await openUnlocked(page, shell);
  expect(await looks(page)).toEqual({ background: LIGHT_BG, fontSize: '15px' });

  await openSettings(page, 'appearance');
  const theme = page.getByRole('group', { name: 'Theme' });
  const textSize = page.getByRole('group', { name: 'Text size' });
  await expect(theme.getByRole('radio', { name: 'System' })).toBeChecked();
  await expect(textSize.getByRole('radio', { name: 'Default' })).toBeChecked();
  await checkScreenSizes(page, 'settings-appearance');

  // Dark on a light system, and light on a dark one: the choice wins over the OS.
  await theme.getByRole('radio', { name: 'Dark' }).check();
  await expect.poll(() => looks(page)).toMatchObject({ background: DARK_BG });
  await page.emulateMedia({ colorScheme: 'dark' });
  await theme.getByRole('radio', { name: 'Light' }).check();
  await expect.poll(() => looks(page)).toMatchObject({ background: LIGHT_BG });
  // System follows the OS again, also when it changes.
  await theme.getByRole('radio', { name: 'System' }).check();
  await expect.poll(() => looks(page)).toMatchObject({ background: DARK_BG });
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(() => looks(page)).toMatchObject({ background: LIGHT_BG });

  // Keyboard: one Tab stop per group, arrows choose.
  await theme.getByRole('radio', { name: 'System' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(theme.getByRole('radio', { name: 'Light' })).toBeChecked();
  await page.keyboard.press('ArrowRight');
  await expect(theme.getByRole('radio', { name: 'Dark' })).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(textSize.getByRole('radio', { name: 'Default' })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(textSize.getByRole('radio', { name: 'Large', exact: true })).toBeChecked();
  await page.keyboard.press('ArrowRight');
  await expect(textSize.getByRole('radio', { name: 'Larger' })).toBeChecked();
  // 15 px body text at 125 %.
  await expect.poll(() => looks(page)).toEqual({ background: DARK_BG, fontSize: '18.75px' });

  // Larger text keeps every screen usable at 800x600, light and dark (System again for both).
  await theme.getByRole('radio', { name: 'System' }).check();
  await checkScreenSizes(page, 'settings-appearance-larger-text');
  await page.getByTestId('settings-back').click();
  await page.getByTestId('conversation-row').filter({ hasText: 'Bob' }).click();
  await expect(page.getByTestId('chat-title')).toHaveText('Bob');
  await checkScreenSizes(page, 'chat-larger-text');
  // At 800 px the status bar keeps each item on one line: "Go online" wrapped onto two.
  await page.setViewportSize({ width: 800, height: 600 });
  await expect(page.getByTestId('go-online')).toBeVisible();
  expect(await lineCount(page.getByTestId('go-online'))).toBe(1);
  for (const item of await page.getByTestId('status-area').locator('.statusbar__item').all()) {
    expect(await lineCount(item), `"${await item.innerText()}" on one line`).toBe(1);
  }

  // The choice holds after a reload and on the unlock screen.
  await openSettings(page, 'appearance');
  await theme.getByRole('radio', { name: 'Dark' }).check();
  await page.reload();
  await expect(page.getByTestId('home-screen')).toBeVisible();
  expect(await looks(page)).toEqual({ background: DARK_BG, fontSize: '18.75px' });
  await page.getByTestId('lock-button').click();
  await expect(page.getByTestId('unlock-screen')).toBeVisible();
  expect(await looks(page)).toEqual({ background: DARK_BG, fontSize: '18.75px' });
  await checkScreen(page, 'unlock-dark-theme-larger-text');
});
