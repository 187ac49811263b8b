import { expect, type Page } from '@playwright/test';

/** The Settings side list's sections (src-renderer's SETTINGS_SECTIONS ids). */
export type SettingsSection =
  | 'profile'
  | 'appearance'
  | 'privacy'
  | 'network'
  | 'devices'
  | 'security'
  | 'chats'
  | 'notifications'
  | 'files'
  | 'backup'
  | 'about';

/** Opens Settings (Ctrl+,) unless it is open, then the given section from the side list. */
export async function openSettings(page: Page, section: SettingsSection): Promise<void> {
  if (!(await page.getByTestId('settings-screen').isVisible())) {
    await page.getByTestId('settings-button').click();
    await expect(page.getByTestId('settings-screen')).toBeVisible();
  }
  await page.getByTestId(`settings-tab-${section}`).click();
  await expect(page.getByTestId(`settings-tab-${section}`)).toHaveAttribute('aria-selected', 'true');
}
