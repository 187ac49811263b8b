import type { Page } from '@playwright/test';
import { openUnlocked, seedClock, startSeeded } from './fixtures/seededShell';
import { expect, test } from './fixtures/webShell';
import { connectTwoPeers, PEER_TIMEOUT } from './helpers/peers';
import { checkScreen, expectNoAxeViolations } from './helpers/screens';
import { TIMER_MENU_CHOICES } from './helpers/timerMenu';
import { openSettings } from './helpers/settings';

/**
 * Desktop conventions (issue #7 item 9) and per-conversation settings
 * (issue #6 items 3 and 7) in the real renderer through `parley web`:
 * keyboard shortcuts and their help, the window title's unread count, the
 * conversation context menu, the disappearing-messages menu, the
 * notification setting, and an axe check on the main screens.
 */

const { now, hour } = seedClock();

/** Axe on a screen in both colour schemes (contrast differs); other specs keep its screenshots. */
async function axeBothSchemes(page: Page, label: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await expectNoAxeViolations(page, `${label} (${colorScheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('shortcuts, help, title, context menu, timer menu and axe on the main screens', async ({
  page,
  startShell,
}) => {
  test.setTimeout(120_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const shell = await startSeeded(startShell, {
    contacts: ['Bob', 'Carol'],
    conversations: [
      {
        kind: 'dm',
        with: 'Bob',
        messages: [
          { from: 'Bob', body: 'Are we still on for the demo?', sentAt: now - 3 * hour },
          { from: 'Bob', body: 'I brought the slides', sentAt: now - 2 * hour },
        ],
      },
      {
        kind: 'dm',
        with: 'Carol',
        messages: [{ from: 'Carol', body: 'Lunch at noon?', sentAt: now - 5 * hour, read: true }],
      },
    ],
  });
  await openUnlocked(page, shell);
  const rows = page.getByTestId('conversation-row');
  await expect(rows).toHaveCount(2);

  // "(2) Parley": the unread count in the title, where the taskbar and tab show it.
  await expect(page).toHaveTitle('(2) Parley');
  await axeBothSchemes(page, 'home');

  // --- Shortcuts --------------------------------------------------------------------
  await page.keyboard.press('Control+/');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help).toContainText('Edit your last message');
  await expect(help).toContainText('Send');
  await checkScreen(page, 'shortcuts-help');
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
  // "?" opens it too, but only when not typing.
  await page.getByTestId('conversation-filter').focus();
  await page.keyboard.type('?');
  await expect(help).toHaveCount(0);
  await expect(page.getByTestId('conversation-filter')).toHaveValue('?');
  await page.getByTestId('conversation-filter').fill('');
  await page.getByTestId('conversation-filter').blur();
  await page.keyboard.press('Shift+?');
  await expect(help).toBeVisible();
  await page.keyboard.press('Escape');

  // --- The conversation menu ------------------------------------------------------------
  const carol = rows.filter({ hasText: 'Carol' });
  await carol.click({ button: 'right' });
  const menu = page.getByRole('menu', { name: /Carol/ });
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitemradio', { name: 'All messages' })).toHaveAttribute(
    'aria-checked',
    'true',
  );
  await expect(menu.getByRole('menuitemradio', { name: 'All messages' })).toBeFocused();
  await checkScreen(page, 'conversation-menu');
  // Arrow keys move, Enter chooses: All → Mentions only → Muted.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitemradio', { name: 'Muted' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(menu).toHaveCount(0);
  await expect(carol.getByTestId('conversation-muted')).toBeVisible();

  // The keyboard way in: Shift+F10 on the row; Escape closes and gives focus back.
  await carol.focus();
  await page.keyboard.press('Shift+F10');
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitemradio', { name: 'Muted' })).toHaveAttribute('aria-checked', 'true');
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await expect(carol).toBeFocused();

  // Mark read from the menu: Bob's unread count goes and the title follows.
  const bob = rows.filter({ hasText: 'Bob' });
  await bob.click({ button: 'right' });
  await page.getByTestId('conversation-menu-mark-read').click();
  await expect(bob.getByTestId('conversation-unread')).toHaveCount(0);
  await expect(page).toHaveTitle('Parley');

  // Next / previous conversation.
  await page.keyboard.press('Alt+ArrowDown');
  await expect(page.getByTestId('chat-title')).toHaveText('Bob');
  await page.keyboard.press('Control+Tab');
  await expect(page.getByTestId('chat-title')).toHaveText('Carol');
  await page.keyboard.press('Control+Shift+Tab');
  await expect(page.getByTestId('chat-title')).toHaveText('Bob');
  await page.keyboard.press('Alt+ArrowUp');
  await expect(page.getByTestId('chat-title')).toHaveText('Carol');
  await page.keyboard.press('Alt+ArrowDown');
  await expect(page.getByTestId('chat-title')).toHaveText('Bob');
  await expect(page.getByTestId('chat-view')).toBeVisible();
  await expectNoAxeViolations(page, 'chat');

  // New chat opens the add-contact dialog.
  await page.keyboard.press('Control+N');
  const addContact = page.getByRole('dialog', { name: 'Add contact' });
  await expect(addContact).toBeVisible();
  await expectNoAxeViolations(page, 'add contact');
  await page.keyboard.press('Escape');
  await expect(addContact).toHaveCount(0);

  // Search.
  await page.keyboard.press('Control+K');
  await expect(page.getByTestId('search-input')).toBeFocused();
  await page.getByTestId('search-input').fill('slides');
  await expect(page.getByTestId('search-hit')).toHaveCount(1);
  await expectNoAxeViolations(page, 'search');
  await page.keyboard.press('Escape');

  // --- Settings: the notifications section ----------------------------------------------
  await page.keyboard.press('Control+,');
  await expect(page.getByTestId('settings-screen')).toBeVisible();
  await openSettings(page, 'notifications');
  const showContent = page.getByTestId('settings-notify-content');
  await expect(showContent).toBeChecked();
  await showContent.uncheck();
  await expect(showContent).not.toBeChecked();
  // Stored by the core: leaving the screen and coming back reads it again.
  await page.getByTestId('settings-back').click();
  await page.keyboard.press('Control+,');
  await expect(page.getByTestId('settings-notify-content')).not.toBeChecked();
  await showContent.check();
  await expect(showContent).toBeChecked();
  await axeBothSchemes(page, 'settings');

  // --- The timer menu in the chat header -------------------------------------------------
  await bob.click();
  const timer = page.getByTestId('timer-button');
  await expect(timer).toHaveText(/Off/);
  await timer.click();
  const timerMenu = page.getByRole('menu', { name: 'Disappearing messages' });
  await expect(timerMenu).toBeVisible();
  await expect(timerMenu.getByRole('menuitemradio')).toHaveText(TIMER_MENU_CHOICES);
  await checkScreen(page, 'timer-menu');
  // This shell has no network: the change cannot reach Bob, and the user is told so.
  await timerMenu.getByRole('menuitemradio', { name: '1 day' }).click();
  await expect(page.getByTestId('conversation-action-error')).toBeVisible();
  await expect(timer).toHaveText(/Off/);
  await page.getByTestId('conversation-action-error').getByRole('button').click();
  await expect(page.getByTestId('conversation-action-error')).toHaveCount(0);

  expect(problems, 'uncaught errors in the page').toEqual([]);
});

test('two peers: a disappearing timer set by one is announced and shown on both', async ({
  page,
  browser,
  startShell,
}) => {
  test.setTimeout(120_000);
  // Ada's tab allowed notifications and is in the background: the browser's Notification is
  // recorded instead of shown, to check what the web shell would show.
  // (Runs in the page: globalThis is its window; the e2e tsconfig has no DOM types.)
  await page.addInitScript(() => {
    const page = globalThis as unknown as { document: { hasFocus(): boolean } };
    const shown: { title: string; body: string }[] = [];
    Object.assign(page, { shownNotifications: shown });
    class RecordingNotification {
      static permission = 'granted';
      static requestPermission = () => Promise.resolve('granted');
      onclick: (() => void) | null = null;
      constructor(title: string, options?: { body?: string }) {
        shown.push({ title, body: options?.body ?? '' });
      }
      close() {}
    }
    Object.assign(page, { Notification: RecordingNotification });
    page.document.hasFocus = () => false;
  });
  const {
    ada,
    bob,
    bobPeer: { context: bobContext },
    bobRow: adaRow,
  } = await connectTwoPeers(page, browser, startShell);

  await bob.getByTestId('timer-button').click();
  await bob.getByRole('menuitemradio', { name: '5 minutes' }).click();
  await expect(bob.getByTestId('timer-button')).toHaveText(/5 minutes/);
  await expect(bob.getByTestId('timeline')).toContainText('You set disappearing messages to 5 minutes');

  await expect(adaRow).toBeVisible({ timeout: PEER_TIMEOUT });
  await adaRow.click();
  await expect(ada.getByTestId('timer-button')).toHaveText(/5 minutes/, { timeout: PEER_TIMEOUT });
  await expect(ada.getByTestId('timeline')).toContainText('Bob set disappearing messages to 5 minutes');
  await expect(adaRow.getByTestId('conversation-timer')).toBeVisible();

  // Ada turns it off from the conversation menu; Bob sees who did.
  await adaRow.click({ button: 'right' });
  await ada.getByTestId('conversation-menu-timer-off').click();
  await expect(ada.getByTestId('timer-button')).toHaveText(/Off/);
  await expect(bob.getByTestId('timer-button')).toHaveText(/Off/, { timeout: PEER_TIMEOUT });
  await expect(bob.getByTestId('timeline')).toContainText('Ada turned off disappearing messages');
  await expect(adaRow.getByTestId('conversation-timer')).toHaveCount(0);

  // A message from Bob becomes a browser notification in Ada's background tab; a system notice does not.
  const shownAtAda = () =>
    ada.evaluate(() => (globalThis as unknown as { shownNotifications: unknown[] }).shownNotifications);
  expect(await shownAtAda()).toEqual([]);
  await bob.getByTestId('composer-input').fill('ping Ada');
  await bob.getByTestId('composer-input').press('Enter');
  await expect.poll(shownAtAda, { timeout: PEER_TIMEOUT }).toEqual([{ title: 'Bob', body: 'ping Ada' }]);
  await bobContext.close();
});
