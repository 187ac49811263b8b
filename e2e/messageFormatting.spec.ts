import { expect, test } from './fixtures/webShell';
import { seedClock } from './fixtures/seededShell';
import { openSeededChat } from './helpers/seededChat';
import { checkScreenSizes } from './helpers/screens';

/**
 * Issue #17 item 3: basic formatting in messages (bold, italic, strikethrough,
 * code, code blocks) rendered as elements built by the app, never as HTML from
 * the message; links stay clickable inside formatting, and marks inside links
 * and code stay as typed.
 */
const { now, hour } = seedClock();
const FORMATTED = '**Bold** plan, _quietly_ and ~~never~~ with `npm ci` — see **https://example.org/a_b_c**';
const BLOCK = 'Run this:\n```sh\nparley web --port 0\n<img src=x onerror=alert(1)>\n```\nthen **reload**';
const PLAIN = 'snake_case_names and 2*3*4 stay as typed';

test('messages show bold, italic, strikethrough, code and code blocks, safely', async ({
  page,
  startShell,
}) => {
  await openSeededChat(page, startShell, {
    messages: [
      { from: 'Bob Stone', body: FORMATTED, sentAt: now - 2 * hour, read: true },
      { from: 'me', body: BLOCK, sentAt: now - hour, state: 'read' },
      { from: 'Bob Stone', body: PLAIN, sentAt: now - hour / 2, read: true },
    ],
  });

  const formatted = page.getByTestId('message-body').filter({ hasText: 'plan' });
  // The marks are gone, the words are styled.
  await expect(formatted).toHaveText(
    'Bold plan, quietly and never with npm ci — see https://example.org/a_b_c',
  );
  await expect(formatted.locator('strong').first()).toHaveText('Bold');
  await expect(formatted.locator('em')).toHaveText('quietly');
  await expect(formatted.locator('s')).toHaveText('never');
  await expect(formatted.getByTestId('message-code')).toHaveText('npm ci');
  // A link inside bold is still a link, whole (its underscores are not italics).
  const link = formatted.locator('strong').getByTestId('message-link');
  await expect(link).toHaveAttribute('href', 'https://example.org/a_b_c');

  const block = page.getByTestId('message-body').filter({ hasText: 'Run this' });
  await expect(block.getByTestId('message-codeblock')).toHaveText(
    'parley web --port 0\n<img src=x onerror=alert(1)>',
  );
  await expect(block.locator('strong')).toHaveText('reload');
  // Nothing from the message became an element of its own.
  await expect(page.locator('[data-testid="timeline"] img, [data-testid="timeline"] b')).toHaveCount(0);

  const plain = page.getByTestId('message-body').filter({ hasText: 'snake_case' });
  await expect(plain).toHaveText(PLAIN);
  await expect(plain.locator('em, strong')).toHaveCount(0);

  await checkScreenSizes(page, 'chat-formatting');
});
