import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures/webShell';
import { openUnlocked, seedClock } from './fixtures/seededShell';
import { SEED_PASSPHRASE, seedProfile } from './fixtures/seedProfile';
import { holdBridgeAfter } from './helpers/holdBridge';
import { checkScreen } from './helpers/screens';

const BACKUP_PASSWORD = 'amber-quartz-heron-58';

test('backup from settings with progress, verify, then restore into a fresh app from onboarding', async ({
  page,
  startShell,
}) => {
  test.setTimeout(120_000);
  const archiveDir = mkdtempSync(join(tmpdir(), 'parley-e2e-backup-'));
  const archive = join(archiveDir, 'ada.parley-backup');
  try {
    const { now, hour } = seedClock();
    const source = await startShell({
      seedProfile: async (dir) => {
        await seedProfile(dir, {
          displayName: 'Ada Lovelace',
          contacts: ['Bob Babbage'],
          conversations: [
            {
              kind: 'dm',
              with: 'Bob Babbage',
              messages: [
                { from: 'Bob Babbage', body: 'Did the engine run?', sentAt: now - 2 * hour, read: true },
                { from: 'me', body: 'It printed the table', sentAt: now - hour, state: 'delivered' },
              ],
            },
            {
              kind: 'group',
              name: 'Book club',
              messages: [
                { from: 'Bob Babbage', body: 'Chapter 3 on Thursday', sentAt: now - 3 * hour, read: true },
              ],
            },
          ],
        });
      },
    });
    const gate = await holdBridgeAfter(page, 'backup.create');
    await openUnlocked(page, source);
    await page.keyboard.press('Control+Comma');
    const section = page.getByTestId('backup-section');
    await section.scrollIntoViewIfNeeded();

    // Form errors first: a relative path and a short password never reach the core.
    await page.getByTestId('backup-path').fill('backups/ada.parley-backup');
    await page.getByTestId('backup-password').fill('short');
    await page.getByTestId('backup-start').click();
    await expect(page.getByTestId('backup-path-error')).toContainText('full path');
    await expect(page.getByTestId('backup-password-error')).toBeVisible();

    await page.getByTestId('backup-path').fill(archive);
    await page.getByTestId('backup-password').fill(BACKUP_PASSWORD);
    await page.getByTestId('backup-confirm').fill(BACKUP_PASSWORD);
    await page.getByTestId('backup-start').click();
    await gate.requested('backup.create');
    // The answer is held: the job shows its progress bar and its cancel button.
    await expect(page.getByTestId('backup-progress')).toBeVisible();
    await expect(page.getByTestId('backup-cancel')).toBeVisible();
    await page.getByTestId('backup-progress').scrollIntoViewIfNeeded();
    await checkScreen(page, 'backup-progress');
    gate.release();
    await expect(page.getByTestId('backup-notice')).toContainText('Backup saved to');
    await expect(page.getByTestId('backup-progress')).toHaveCount(0);
    expect(statSync(archive).size).toBeGreaterThan(1000);

    // Verify: a wrong password is told apart, the right one passes.
    await page.getByTestId('backup-password').fill('not-the-backup-password');
    await page.getByTestId('backup-verify').click();
    await expect(page.getByTestId('backup-error-message')).toHaveText(
      'That password does not open this backup.',
    );
    await page.getByTestId('backup-password').fill(BACKUP_PASSWORD);
    await page.getByTestId('backup-verify').click();
    await expect(page.getByTestId('backup-notice')).toContainText('intact');
    await checkScreen(page, 'backup-settings');

    // A second, empty app: onboarding offers the restore.
    const fresh = await startShell();
    await page.goto(fresh.url);
    await expect(page.getByTestId('onboarding-screen')).toBeVisible();
    await page.getByTestId('restore-open').click();
    await expect(page.getByTestId('restore-dialog')).toBeVisible();
    await page.getByTestId('restore-path').fill(archive);
    await page.getByTestId('restore-password').fill('not-the-backup-password');
    await page.getByTestId('restore-submit').click();
    await expect(page.getByTestId('restore-error-message')).toHaveText(
      'That password does not open this backup.',
    );
    await checkScreen(page, 'backup-restore');
    await page.getByTestId('restore-password').fill(BACKUP_PASSWORD);
    await page.getByTestId('restore-submit').click();

    // Restored and locked: it opens with the passphrase the profile had, and everything is there.
    await expect(page.getByTestId('unlock-screen')).toBeVisible();
    await page.getByTestId('unlock-passphrase').fill(SEED_PASSPHRASE);
    await page.getByTestId('unlock-passphrase').press('Enter');
    await expect(page.getByTestId('home-screen')).toBeVisible();
    const list = page.getByTestId('conversation-list');
    await expect(list).toContainText('Book club');
    await expect(list).toContainText('Bob Babbage');
    await list.getByText('Bob Babbage').click();
    await expect(page.getByTestId('timeline').getByText('It printed the table')).toBeVisible();
  } finally {
    rmSync(archiveDir, { recursive: true, force: true });
  }
});
