import { randomBytes } from 'node:crypto';
import { expect, test } from './fixtures/webShell';
import { checkScreenSizes } from './helpers/screens';
import { openSettings } from './helpers/settings';
import {
  connectTwoPeers,
  openConversation,
  openPeerPage,
  PEER_ENV,
  PEER_TIMEOUT,
  sendMessage,
} from './helpers/peers';

/**
 * Issue 18 (§13.5, §13.7, §13.10) with two web shells for one person on
 * 127.0.0.1: Ada's device in use shows "Link a new device" (QR code, the
 * code as text, a countdown); a second shell with no profile chooses "I
 * already use Parley", pastes the code, and both show the same 6-digit short
 * code; once both users confirm, the new shell opens Ada's profile with her
 * contacts, and her history with Bob arrives on it with its progress.
 *
 * Then every device a member (§13.6): what the laptop sends is Ada's own on
 * her first device and Ada's for Bob, and the other way round; an own file
 * sent from the first device opens on the laptop. Then Ada removes the laptop
 * (§13.8's Remove…): it says so, offers nothing that cannot work, and
 * "Delete this profile" takes it back to the first start.
 */
test('link a new device by pasted code: the same short code on both, then the history on the new one', async ({
  page,
  browser,
  startShell,
}) => {
  test.setTimeout(300_000);
  const { ada, bob, bobRow } = await connectTwoPeers(page, browser, startShell);
  // Some history for the new device to receive.
  await openConversation(bob, 'Ada');
  await sendMessage(bob, 'Remember the lantern at the harbour');
  await bobRow.click();
  await expect(ada.getByTestId('message-body').filter({ hasText: 'lantern at the harbour' })).toBeVisible({
    timeout: PEER_TIMEOUT,
  });

  // Ada's device in use: Settings → Devices → Link a new device.
  await openSettings(ada, 'devices');
  await ada.getByTestId('devices-link').click();
  const dialog = ada.getByTestId('link-device-dialog');
  await expect(dialog.getByTestId('link-code-text')).toHaveValue(/^parley:\/\/link\//);
  await expect(dialog.getByTestId('link-qr')).toBeVisible();
  await expect(dialog.getByTestId('link-countdown')).toContainText(/for (9|10):\d\d more/);
  await checkScreenSizes(ada, 'link-code');
  const code = await dialog.getByTestId('link-code-text').inputValue();

  // A new install: "I already use Parley".
  const laptopShell = await startShell({ env: PEER_ENV });
  const laptopPeer = await openPeerPage(browser);
  const laptop = laptopPeer.page;
  await laptop.goto(laptopShell.url);
  await laptop.getByTestId('onboarding-join').click();
  await expect(laptop.getByTestId('join-screen')).toBeVisible();
  await expect(laptop.getByTestId('join-code')).toBeFocused();
  // Keyboard only: a wrong submit first says what is missing.
  await laptop.keyboard.press('Tab');
  await laptop.getByTestId('join-submit').click();
  await expect(laptop.getByTestId('join-code')).toBeFocused();
  await expect(laptop.getByTestId('join-screen')).toContainText('Paste the code your other device shows.');
  await laptop.getByTestId('join-code').fill(code);
  await laptop.getByTestId('join-passphrase').fill('harbour-lantern-copper-92');
  await laptop.getByTestId('join-confirm').fill('harbour-lantern-copper-92');
  await laptop.getByTestId('join-device-name').fill('Laptop');
  await checkScreenSizes(laptop, 'link-join-form');
  await laptop.getByTestId('join-confirm').press('Enter');

  // The same short code on both screens.
  const sasOnLaptop = laptop.getByTestId('join-sas');
  const sasOnAda = dialog.getByTestId('link-sas');
  await expect(sasOnLaptop).toHaveText(/^\d{3} \d{3}$/, { timeout: PEER_TIMEOUT });
  await expect(sasOnAda).toHaveText(/^\d{3} \d{3}$/, { timeout: PEER_TIMEOUT });
  expect(await sasOnLaptop.textContent()).toBe(await sasOnAda.textContent());
  await checkScreenSizes(laptop, 'link-join-sas');
  await checkScreenSizes(ada, 'link-sas');

  await dialog.getByTestId('link-sas-match').click();
  // The files choice comes with the short code (§13.10); files stay on Ada's first device.
  await laptop.getByTestId('join-without-files').check();
  await laptop.getByTestId('join-sas-match').click();
  await expect(dialog.getByTestId('link-done')).toBeVisible({ timeout: PEER_TIMEOUT });
  await checkScreenSizes(ada, 'link-done');
  await dialog.getByTestId('link-finish').click();
  await expect(ada.getByTestId('devices-own').getByTestId('device-row')).toHaveCount(2);
  // The name given on the new device travelled with its request.
  await expect(ada.getByTestId('devices-own')).toContainText('Laptop');

  // The new device opens Ada's profile; the history arrives with its progress.
  await expect(laptop.getByTestId('home-screen')).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect(laptop.getByTestId('home-display-name')).toHaveText('Ada');
  const progress = laptop.getByTestId('history-progress');
  await expect(progress).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  await expect(progress).toContainText('Your history is here');
  // The list shows the imported message, not "No messages yet".
  await expect(laptop.getByTestId('conversation-row').filter({ hasText: 'Bob' })).toContainText(
    'lantern at the harbour',
  );
  await openConversation(laptop, 'Bob');
  await expect(
    laptop.getByTestId('message-body').filter({ hasText: 'lantern at the harbour' }),
  ).toBeVisible();
  await checkScreenSizes(laptop, 'link-history-done');
  await laptop.getByTestId('history-progress-dismiss').click();
  await expect(progress).toHaveCount(0);
  expect(laptopPeer.problems).toEqual([]);

  // Every device a member (§13.6): the laptop joins the DM as itself and sends from it. Ada's first
  // device shows what the laptop sent as her own, Bob as Ada's; and the other way round.
  await expect(laptop.getByTestId('composer-input')).toBeEnabled({ timeout: 60_000 });
  await sendMessage(laptop, 'Sent from the laptop');
  await ada.getByTestId('settings-button').click();
  await bobRow.click();
  const own = (p: typeof ada, text: string) => p.locator('.msg--out').filter({ hasText: text });
  const theirs = (p: typeof ada, text: string) => p.locator('.msg--in').filter({ hasText: text });
  await expect(own(ada, 'Sent from the laptop')).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect(theirs(bob, 'Sent from the laptop')).toBeVisible({ timeout: PEER_TIMEOUT });
  await sendMessage(ada, 'Sent from the desktop');
  await expect(own(laptop, 'Sent from the desktop')).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect(theirs(bob, 'Sent from the desktop')).toBeVisible({ timeout: PEER_TIMEOUT });
  await sendMessage(bob, 'Both arrived');
  await expect(theirs(ada, 'Both arrived')).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect(theirs(laptop, 'Both arrived')).toBeVisible({ timeout: PEER_TIMEOUT });
  await checkScreenSizes(laptop, 'link-send-both');

  // An own file sent from the first device opens on the laptop (fetched from a device of the DM).
  const chart = randomBytes(200 * 1024);
  await ada
    .getByTestId('composer-file-input')
    .setInputFiles([{ name: 'tide-chart.pdf', mimeType: 'application/pdf', buffer: chart }]);
  const fileOn = (p: typeof ada) => p.getByTestId('file-bubble').filter({ hasText: 'tide-chart.pdf' });
  await expect(fileOn(ada)).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect(fileOn(laptop)).toHaveAttribute('data-direction', 'outgoing', { timeout: PEER_TIMEOUT });
  await expect(fileOn(laptop)).toHaveAttribute('data-state', 'complete', { timeout: PEER_TIMEOUT });
  const downloadEvent = laptop.waitForEvent('download');
  await fileOn(laptop).getByTestId('file-save').click();
  const saved = await (await downloadEvent).createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of saved) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).equals(chart)).toBe(true);

  // Removed again from Ada's device in use (§13.8, Settings → Devices → Remove…).
  await openSettings(ada, 'devices');
  await ada.getByTestId('devices-own').getByTestId('device-remove').click();
  await ada.getByTestId('device-remove-confirm').click();
  await expect(ada.getByTestId('devices-own').getByTestId('device-row')).toHaveCount(1, {
    timeout: PEER_TIMEOUT,
  });
  // The laptop learns it (§13.8 step 4): the banner, nothing to start, history readable; then
  // "Delete this profile" after the typed name brings it back to the first start.
  const banner = laptop.getByTestId('device-removed');
  await expect(banner).toContainText('This device was removed from Ada’s devices', { timeout: 60_000 });
  await expect(laptop.getByTestId('add-contact')).toHaveCount(0);
  await expect(laptop.getByTestId('new-group')).toHaveCount(0);
  await expect(laptop.getByTestId('message-body').filter({ hasText: 'Both arrived' })).toBeVisible();
  await ada.getByTestId('settings-button').click();
  await bobRow.click();
  await sendMessage(ada, 'After the laptop left');
  await expect(theirs(bob, 'After the laptop left')).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect(laptop.getByTestId('message-body').filter({ hasText: 'After the laptop left' })).toHaveCount(
    0,
  );
  await checkScreenSizes(laptop, 'link-removed');
  await banner.getByTestId('device-removed-delete').click();
  await laptop.getByTestId('delete-profile-confirm-input').fill('Ada');
  await laptop.getByTestId('delete-profile-submit').click();
  await expect(laptop.getByTestId('onboarding-screen')).toBeVisible({ timeout: PEER_TIMEOUT });
});

test('codes that differ link nothing, and the new install says so', async ({ page, browser, startShell }) => {
  test.setTimeout(180_000);
  const adaShell = await startShell({ env: PEER_ENV });
  await page.goto(adaShell.url);
  await page.getByTestId('onboarding-display-name').fill('Ada');
  await page.getByTestId('onboarding-passphrase').fill('quiet-lantern-orbit-47');
  await page.getByTestId('onboarding-confirm').fill('quiet-lantern-orbit-47');
  await page.getByTestId('onboarding-submit').click();
  await expect(page.getByTestId('home-screen')).toBeVisible();
  await openSettings(page, 'devices');
  await page.getByTestId('devices-link').click();
  const dialog = page.getByTestId('link-device-dialog');
  await expect(dialog.getByTestId('link-code-text')).toHaveValue(/^parley:\/\/link\//);
  const code = await dialog.getByTestId('link-code-text').inputValue();

  const otherShell = await startShell({ env: PEER_ENV });
  const other = (await openPeerPage(browser)).page;
  await other.goto(otherShell.url);
  await other.getByTestId('onboarding-join').click();
  await other.getByTestId('join-code').fill(code);
  await other.getByTestId('join-passphrase').fill('harbour-lantern-copper-92');
  await other.getByTestId('join-confirm').fill('harbour-lantern-copper-92');
  await other.getByTestId('join-submit').click();
  await expect(other.getByTestId('join-sas')).toBeVisible({ timeout: PEER_TIMEOUT });
  await other.getByTestId('join-sas-differ').click();
  await expect(other.getByTestId('join-failed')).toContainText('The codes differ');
  await expect(dialog.getByTestId('link-failed')).toBeVisible({ timeout: PEER_TIMEOUT });
  await checkScreenSizes(page, 'link-failed');
  await dialog.getByTestId('link-close').click();
  await expect(page.getByTestId('devices-own').getByTestId('device-row')).toHaveCount(1);
});
