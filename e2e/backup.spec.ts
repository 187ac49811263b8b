import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures/webShell';
import { openUnlocked, seedClock, startSeeded } from './fixtures/seededShell';
import { SEED_PASSPHRASE } from './fixtures/seedProfile';
import { holdBridgeAfter } from './helpers/holdBridge';
import { checkScreen, checkScreenSizes } from './helpers/screens';
import { openSettings } from './helpers/settings';

const BACKUP_PASSWORD = 'amber-quartz-heron-58';

test('back up as a browser download with progress, verify and restore by choosing the file: no path typed', async ({
  page,
  startShell,
}) => {
  test.setTimeout(120_000);
  const archiveDir = mkdtempSync(join(tmpdir(), 'parley-e2e-backup-'));
  const archive = join(archiveDir, 'ada.parley-backup');
  try {
    const { now, hour } = seedClock();
    const source = await startSeeded(startShell, {
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
    const gate = await holdBridgeAfter(page, 'backup.create');
    await openUnlocked(page, source);
    await openSettings(page, 'backup');

    // A short password never reaches the core; there is no path to type at all.
    await expect(page.getByTestId('backup-path')).toHaveCount(0);
    await page.getByTestId('backup-password').fill('short');
    await page.getByTestId('backup-start').click();
    await expect(page.getByTestId('backup-password-error')).toBeVisible();

    await page.getByTestId('backup-password').fill(BACKUP_PASSWORD);
    await page.getByTestId('backup-confirm').fill(BACKUP_PASSWORD);
    const downloading = page.waitForEvent('download');
    await page.getByTestId('backup-start').click();
    await gate.requested('backup.create');
    // The answer is held: the job shows its progress bar and its cancel button.
    await expect(page.getByTestId('backup-progress')).toBeVisible();
    await expect(page.getByTestId('backup-cancel')).toBeVisible();
    await page.getByTestId('backup-progress').scrollIntoViewIfNeeded();
    await checkScreen(page, 'backup-progress');
    gate.release();
    // The browser saves the archive like any download.
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^parley-\d{4}-\d{2}-\d{2}\.parley-backup$/);
    await download.saveAs(archive);
    await expect(page.getByTestId('backup-notice')).toContainText('your browser is saving');
    await expect(page.getByTestId('backup-progress')).toHaveCount(0);
    expect(statSync(archive).size).toBeGreaterThan(1000);

    // Verify: chosen with the browser's file picker; a missing file and a wrong password are told apart.
    await page.getByTestId('backup-password').fill('not-the-backup-password');
    await page.getByTestId('backup-verify').click();
    await expect(page.getByTestId('backup-section')).toContainText('Choose the backup file to check.');
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('backup-verify-file-choose').click();
    await (await chooser).setFiles(archive);
    await expect(page.getByTestId('backup-verify-file-name')).toContainText('ada.parley-backup');
    await page.getByTestId('backup-verify').click();
    await expect(page.getByTestId('backup-error-message')).toHaveText(
      'That password does not open this backup.',
    );
    await page.getByTestId('backup-password').fill(BACKUP_PASSWORD);
    await page.getByTestId('backup-verify').click();
    await expect(page.getByTestId('backup-notice')).toContainText('intact');
    await checkScreenSizes(page, 'backup-settings');

    // A second, empty app: onboarding offers the restore.
    const fresh = await startShell();
    await page.goto(fresh.url);
    await expect(page.getByTestId('onboarding-screen')).toBeVisible();
    await page.getByTestId('restore-open').click();
    await expect(page.getByTestId('restore-dialog')).toBeVisible();
    // §13.9's choice first, asked and never guessed; "Add" is linking, and leads there.
    await page.getByTestId('restore-submit').click();
    await expect(page.getByTestId('restore-choice-error')).toContainText('Choose whether this computer');
    await page.getByTestId('restore-choice-add').check();
    await checkScreenSizes(page, 'backup-restore-choice');
    await page.getByTestId('restore-link-instead').click();
    await expect(page.getByTestId('join-screen')).toBeVisible();
    await page.getByTestId('join-back').click();
    await page.getByTestId('restore-open').click();
    await page.getByTestId('restore-choice-replace').check();
    await page.getByTestId('restore-file-input').setInputFiles(archive);
    await expect(page.getByTestId('restore-file-name')).toContainText('ada.parley-backup');
    await page.getByTestId('restore-password').fill('not-the-backup-password');
    await page.getByTestId('restore-submit').click();
    await expect(page.getByTestId('restore-error-message')).toHaveText(
      'That password does not open this backup.',
    );
    await checkScreenSizes(page, 'backup-restore');
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
