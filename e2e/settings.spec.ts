import { expect, test } from './fixtures/webShell';
import { openUnlocked } from './fixtures/seededShell';
import { SEED_PASSPHRASE, seedProfile } from './fixtures/seedProfile';
import { checkScreen } from './helpers/screens';

const NEW_PASSPHRASE = 'violet-harbor-compass-31';

test('settings: about facts, change passphrase, then lock and unlock with the new one', async ({
  page,
  startShell,
}) => {
  test.setTimeout(90_000);
  const shell = await startShell({
    seedProfile: async (dir) => {
      await seedProfile(dir, { displayName: 'Ada Lovelace', contacts: [], conversations: [] });
    },
  });
  await openUnlocked(page, shell);

  await page.keyboard.press('Control+Comma');
  await expect(page.getByTestId('settings-screen')).toBeVisible();
  await expect(page.getByTestId('settings-display-name')).toHaveText('Ada Lovelace');
  await expect(page.getByTestId('about-version')).toHaveText('0.1.0');
  await expect(page.getByTestId('about-profile-dir')).toHaveText(shell.profileDir);
  await expect(page.getByTestId('about-shell')).toContainText('Web shell');
  await expect(page.getByTestId('about-ciphersuite')).toHaveText(
    'X-Wing (ML-KEM-768 + X25519), Ed25519, AES-256-GCM',
  );
  // The device's PeerId when the shell runs a node, else why there is none.
  await expect(page.getByTestId('about-peer-id')).toHaveText(/^(12D3KooW\w+|Networking is off)$/);
  // The web shell has no OS keychain: no "remember" toggle.
  await expect(page.getByTestId('settings-remember')).toHaveCount(0);
  await checkScreen(page, 'settings');

  // Form errors first, then a wrong current passphrase from the core.
  await page.getByTestId('settings-change-passphrase').click();
  await expect(page.getByTestId('settings-current-passphrase-error')).toHaveText(
    'Enter your current passphrase.',
  );
  await page.getByTestId('settings-current-passphrase').fill('not the passphrase');
  await page.getByTestId('settings-new-passphrase').fill(NEW_PASSPHRASE);
  await page.getByTestId('settings-confirm-passphrase').fill(`${NEW_PASSPHRASE}x`);
  await page.getByTestId('settings-change-passphrase').click();
  await expect(page.getByTestId('settings-confirm-passphrase-error')).toHaveText(
    'The passphrases do not match.',
  );
  await page.getByTestId('settings-confirm-passphrase').fill(NEW_PASSPHRASE);
  await page.getByTestId('settings-change-passphrase').click();
  await expect(page.getByTestId('settings-current-passphrase-error')).toBeVisible();
  await checkScreen(page, 'settings-errors');

  await page.getByTestId('settings-current-passphrase').fill(SEED_PASSPHRASE);
  await page.getByTestId('settings-change-passphrase').click();
  await expect(page.getByTestId('change-passphrase-done')).toBeVisible();

  // Idle lock choice is kept.
  await page.getByTestId('settings-idle-lock').selectOption('5');
  await expect(page.getByTestId('settings-idle-lock')).toHaveValue('5');

  await page.keyboard.press('Control+L');
  await expect(page.getByTestId('unlock-screen')).toBeVisible();
  await page.getByTestId('unlock-passphrase').fill(SEED_PASSPHRASE);
  await page.getByTestId('unlock-passphrase').press('Enter');
  await expect(page.getByTestId('unlock-passphrase-error')).toBeVisible();
  await page.getByTestId('unlock-passphrase').fill(NEW_PASSPHRASE);
  await page.getByTestId('unlock-passphrase').press('Enter');
  await expect(page.getByTestId('home-screen')).toBeVisible();
  // Reloaded settings remember the idle choice (localStorage).
  await page.keyboard.press('Control+Comma');
  await expect(page.getByTestId('settings-idle-lock')).toHaveValue('5');
});
