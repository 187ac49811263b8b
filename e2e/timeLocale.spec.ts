import type { Page } from '@playwright/test';
import { expect, test, type StartOptions, type WebShell } from './fixtures/webShell';
import { seedClock } from './fixtures/seededShell';
import { openSeededChat } from './helpers/seededChat';

/**
 * Issue 17 item 20: times follow the region format, not the language the
 * window's browser runs in. The shell hands its region locale to the page
 * (`app.info` timeLocale; the desktop app reads the OS region setting, the web
 * shell LC_ALL / LC_TIME / LANG) and the one time formatter uses it.
 */
const { now, hour } = seedClock();
const sentAt = now - hour;

// The page's own language is US English: 12-hour clock with AM/PM.
test.use({ locale: 'en-US' });

async function messageTime(
  page: Page,
  startShell: (o: StartOptions) => Promise<WebShell>,
  env: Record<string, string>,
) {
  await openSeededChat(page, startShell, {
    env,
    messages: [{ from: 'Bob Stone', body: 'What time is it?', sentAt, read: true }],
  });
  return page.getByTestId('message').filter({ hasText: 'What time is it?' }).locator('time');
}

test('times follow the region format the shell names, not the browser language', async ({
  page,
  startShell,
}) => {
  const time = await messageTime(page, startShell, {
    LC_ALL: '',
    LC_TIME: 'en_GB.UTF-8',
    LANG: 'en_US.UTF-8',
  });
  // en-GB: a 24-hour clock ("18:06"), where the page's en-US would write "6:06 PM".
  await expect(time).toHaveText(new Intl.DateTimeFormat('en-GB', { timeStyle: 'short' }).format(sentAt));
  await expect(time).not.toHaveText(/AM|PM/);
});

test('without a region locale the page keeps its own', async ({ page, startShell }) => {
  const time = await messageTime(page, startShell, { LC_ALL: '', LC_TIME: '', LANG: 'C.UTF-8' });
  await expect(time).toHaveText(new Intl.DateTimeFormat('en-US', { timeStyle: 'short' }).format(sentAt));
  await expect(time).toHaveText(/AM|PM/);
});
