import { expect, test } from './fixtures/webShell';
import { openUnlocked, startSeeded } from './fixtures/seededShell';
import { SEED_PASSPHRASE } from './fixtures/seedProfile';
import { checkScreen, checkScreenSizes } from './helpers/screens';
import { openSettings } from './helpers/settings';

const NEW_PASSPHRASE = 'violet-harbor-compass-31';

test('settings: about facts, change passphrase, then lock and unlock with the new one', async ({
  page,
  startShell,
}) => {
  test.setTimeout(90_000);
  const shell = await startSeeded(startShell, { contacts: [], conversations: [] });
  await openUnlocked(page, shell);

  await page.keyboard.press('Control+Comma');
  await expect(page.getByTestId('settings-screen')).toBeVisible();
  await expect(page.getByTestId('settings-display-name')).toHaveText('Ada Lovelace');
  await openSettings(page, 'about');
  await expect(page.getByTestId('about-version')).toHaveText('0.1.0');
  await expect(page.getByTestId('about-profile-dir')).toHaveText(shell.profileDir);
  await expect(page.getByTestId('about-shell')).toContainText('Web shell');
  await expect(page.getByTestId('about-ciphersuite')).toHaveText(
    'X-Wing (ML-KEM-768 + X25519), Ed25519, AES-256-GCM',
  );
  // The device's PeerId when the shell runs a node, else why there is none.
  await expect(page.getByTestId('about-peer-id')).toHaveText(/^(12D3KooW\w+|Networking is off)$/);
  await checkScreenSizes(page, 'settings-about');
  await openSettings(page, 'security');
  // The web shell has no OS keychain: no "remember" toggle.
  await expect(page.getByTestId('settings-remember')).toHaveCount(0);
  await checkScreenSizes(page, 'settings-security');

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

  // A weak new passphrase is asked about first (issue 17 item 16); "Choose another" returns to it.
  await page.getByTestId('settings-current-passphrase').fill(SEED_PASSPHRASE);
  await page.getByTestId('settings-new-passphrase').fill('password');
  await page.getByTestId('settings-confirm-passphrase').fill('password');
  await page.getByTestId('settings-change-passphrase').click();
  const ask = page.getByRole('dialog', { name: 'Use a weak passphrase?' });
  await expect(ask).toContainText('takes this laptop');
  await checkScreenSizes(page, 'settings-weak-passphrase');
  await page.keyboard.press('Escape');
  await expect(ask).toHaveCount(0);
  await expect(page.getByTestId('settings-new-passphrase')).toBeFocused();
  await page.getByTestId('settings-new-passphrase').fill(NEW_PASSPHRASE);
  await page.getByTestId('settings-confirm-passphrase').fill(NEW_PASSPHRASE);
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
  await openSettings(page, 'security');
  await expect(page.getByTestId('settings-idle-lock')).toHaveValue('5');
});

/** The document's scroll offset and scrollable height: the window itself must never scroll on home. */
function documentScroll(page: import('@playwright/test').Page): Promise<{ top: number; extra: number }> {
  type Win = {
    document: { scrollingElement: { scrollTop: number; scrollHeight: number } };
    innerHeight: number;
  };
  return page.evaluate(() => {
    const win = globalThis as unknown as Win;
    const root = win.document.scrollingElement;
    return { top: root.scrollTop, extra: root.scrollHeight - win.innerHeight };
  });
}

test('settings: a wheel over the sidebar never scrolls the window away; one short section at a time', async ({
  page,
  startShell,
}) => {
  const shell = await startSeeded(startShell, { contacts: [], conversations: [] });
  await page.setViewportSize({ width: 800, height: 600 });
  await openUnlocked(page, shell);
  await page.keyboard.press('Control+Comma');
  await expect(page.getByTestId('settings-screen')).toBeVisible();

  // Issue 17 item 1: the wheel over the sidebar scrolled the document to a blank page.
  const sidebar = page.getByRole('complementary', { name: 'Profile and conversations' });
  const box = await sidebar.boundingBox();
  if (!box) throw new Error('no sidebar');
  for (const section of ['profile', 'privacy', 'security', 'backup'] as const) {
    if (section !== 'profile') await openSettings(page, section);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 4000);
    await expect.poll(() => documentScroll(page)).toEqual({ top: 0, extra: 0 });
    await expect(sidebar.getByTestId('lock-button')).toBeInViewport();
  }

  // Sections are a side list of tabs: one tab stop, arrows move and show.
  const tabs = page.getByRole('tablist', { name: 'Settings sections' }).getByRole('tab');
  await expect(tabs).toHaveText([
    'Profile',
    'Appearance',
    'Privacy',
    'Network',
    'Devices',
    'Security',
    'Chats',
    'Notifications',
    'Files',
    'Backup',
    'About',
  ]);
  await page.getByTestId('settings-tab-appearance').click();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('tab', { name: 'Privacy' })).toBeFocused();
  await expect(page.getByRole('tabpanel', { name: 'Privacy' })).toContainText('Discoverable on this network');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('tab', { name: 'Network' })).toBeFocused();
  await expect(page.getByRole('tabpanel', { name: 'Network' })).toContainText('Relay for my contacts');
  await page.keyboard.press('End');
  await expect(page.getByRole('tab', { name: 'About' })).toBeFocused();
  await expect(page.getByTestId('about-version')).toBeVisible();
  await expect(page.getByTestId('settings-display-name')).toHaveCount(0);
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('tab', { name: 'Profile' })).toBeFocused();
  await expect(page.getByTestId('settings-display-name')).toBeVisible();

  // Each section is short: at the wide size none needs the panel to scroll (Network's two
  // advanced forms are folded behind disclosures for that).
  await page.setViewportSize({ width: 1600, height: 1000 });
  for (const section of [
    'appearance',
    'privacy',
    'network',
    'devices',
    'chats',
    'notifications',
    'files',
    'about',
  ] as const) {
    await openSettings(page, section);
    const panel = page.getByTestId('settings-panel');
    const fits = await panel.evaluate((el) => el.scrollHeight <= el.clientHeight);
    expect(fits, `${section} fits without scrolling`).toBe(true);
  }
  await openSettings(page, 'privacy');
  await checkScreenSizes(page, 'settings-privacy');
  await expect.poll(() => documentScroll(page)).toEqual({ top: 0, extra: 0 });
});
