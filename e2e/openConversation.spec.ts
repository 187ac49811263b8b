import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/webShell';
import { openUnlocked, seedClock, startSeeded } from './fixtures/seededShell';

/**
 * Opening a long conversation draws its newest messages in the first frame
 * that shows any message (issue 17, the open of a 100k conversation): the
 * first render used to draw the oldest rows of the page, at the old scroll
 * offset, and the newest came a scroll event and a frame later — a flash of
 * older messages and ~14 ms of the open spent drawing rows no one sees.
 * A search hit opened in its conversation is likewise drawn in the first frame.
 */

const { now, hour } = seedClock();
const COUNT = 400;
const bodyOf = (i: number) => `Long talk ${i}`;

/**
 * Samples every frame until `framesSeen`: in each animation frame (what the
 * next paint shows) the message ids in the timeline, kept for the frames that
 * had any message row.
 */
async function watchFrames(page: Page): Promise<void> {
  // Source text: the specs are type-checked without the DOM library.
  await page.evaluate(`(() => {
    globalThis.__frames = [];
    globalThis.__watching = true;
    const sample = () => {
      const ids = [...document.querySelectorAll('[data-testid="timeline"] [data-testid="message"]')].map(
        (el) => Number(el.getAttribute('data-message-id')),
      );
      if (ids.length > 0) globalThis.__frames.push(ids);
      if (globalThis.__watching && globalThis.__frames.length < 200) requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  })()`);
}

async function framesSeen(page: Page): Promise<number[][]> {
  return page.evaluate(() => {
    const w = globalThis as unknown as { __frames: number[][]; __watching: boolean };
    w.__watching = false;
    return w.__frames;
  });
}

test('a long conversation opens at its newest message, drawn in the first frame with messages', async ({
  page,
  startShell,
}) => {
  test.setTimeout(90_000);
  const shell = await startSeeded(startShell, {
    contacts: ['Bob Stone'],
    conversations: [
      {
        kind: 'dm',
        with: 'Bob Stone',
        messages: [],
        bulk: {
          count: COUNT,
          from: ['Bob Stone', 'me'],
          startAt: now - COUNT * 60_000 - hour,
          stepMs: 60_000,
          body: bodyOf,
        },
      },
      // A second conversation to come back from.
      { kind: 'group', name: 'Quiet group', messages: [] },
    ],
  });
  await openUnlocked(page, shell);
  const row = page.getByTestId('conversation-row').filter({ hasText: 'Bob Stone' });
  const other = page.getByTestId('conversation-row').filter({ hasText: 'Quiet group' });

  for (let round = 0; round < 2; round++) {
    await watchFrames(page);
    await row.click();
    const newest = page.getByTestId('message-body').filter({ hasText: bodyOf(COUNT - 1) });
    await expect(newest).toBeVisible();
    // A few more frames: nothing moves away from the newest afterwards either.
    await page.evaluate(
      'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(undefined))))',
    );
    const frames = await framesSeen(page);
    const newestId = Number(
      await page.getByTestId('message').filter({ has: newest }).getAttribute('data-message-id'),
    );
    expect(frames.length).toBeGreaterThan(0);
    // Every frame with messages (the first one included) shows the newest: no flash of older rows.
    expect(frames.map((ids) => ids.includes(newestId))).toEqual(frames.map(() => true));
    // At the bottom.
    const gap = await page
      .getByTestId('timeline')
      .evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    expect(gap).toBeLessThanOrEqual(48);
    if (round === 0) {
      // Away and back: the second open starts from another conversation's view.
      await other.click();
      await expect(page.getByTestId('timeline-empty')).toBeVisible();
    }
  }

  // --- A search hit far from the end: its row is in the first frame with messages -----------
  await other.click();
  await expect(page.getByTestId('timeline-empty')).toBeVisible();
  await page.keyboard.press('Control+K');
  await page.getByTestId('search-input').fill('57');
  const hit = page.getByTestId('search-hit').first();
  await expect(hit).toBeVisible();
  await watchFrames(page);
  await hit.click();
  const target = page.getByTestId('message-body').filter({ hasText: /^Long talk 57$/ });
  await expect(target).toBeVisible();
  const frames = await framesSeen(page);
  const targetId = Number(
    await page.getByTestId('message').filter({ has: target }).getAttribute('data-message-id'),
  );
  expect(frames.length).toBeGreaterThan(0);
  expect(frames.map((ids) => ids.includes(targetId))).toEqual(frames.map(() => true));
});
