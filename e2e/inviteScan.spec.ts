import { chromium, type Browser, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';
import { expect, test } from './fixtures/webShell';
import { checkScreenSizes } from './helpers/screens';
import { createProfile, PEER_ENV, PEER_TIMEOUT } from './helpers/peers';
import { writeQrVideo } from './helpers/qrVideo';

/**
 * Issue #17 item 18. Bob adds Ada by scanning her invite's QR code with a
 * camera (Chromium's fake capture device playing a video of the code); once
 * he did, Ada's dialog takes the spent invite off the screen, naming Bob, and
 * offers a new one. Cat's camera shows a QR code that is not an invite, and
 * the spent link pasted by Cat is "already used", unlike a garbage one.
 * Ada's browser has no camera: no Scan button.
 */

let dir: string;
const browsers: Browser[] = [];
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-e2e-scan-'));
});
test.afterAll(async () => {
  for (const b of browsers.splice(0)) await b.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A page in a Chromium whose camera shows `video`, with camera permission granted for `origin`. */
async function pageWithCamera(video: string, origin: string, problems: string[]): Promise<Page> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  browsers.push(browser);
  const context = await browser.newContext({
    viewport: { width: 1120, height: 760 },
    reducedMotion: 'reduce',
    permissions: ['camera'],
  });
  await context.grantPermissions(['camera'], { origin });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return page;
}

test('scan an invite with the camera; the used invite leaves the inviter’s screen; "already used"', async ({
  page,
  startShell,
}) => {
  test.setTimeout(180_000);
  const [adaShell, bobShell, catShell] = await Promise.all([
    startShell({ env: PEER_ENV }),
    startShell({ env: PEER_ENV }),
    startShell({ env: PEER_ENV }),
  ]);
  const ada = page;
  await createProfile(ada, adaShell, 'Ada');
  await ada.getByTestId('add-contact').click();
  const inviteText = ada.getByTestId('invite-text');
  await expect(inviteText).toHaveValue(/parley:\/\/invite\//);
  const link = /parley:\/\/invite\/\S+/.exec(await inviteText.inputValue())?.[0] ?? '';
  // This browser has no camera: nothing offers to scan.
  await expect(ada.getByTestId('accept-invite-input')).toBeVisible();
  await expect(ada.getByTestId('scan-invite')).toHaveCount(0);

  const problems: string[] = [];
  const adaVideo = join(dir, 'ada-invite.y4m');
  writeQrVideo(adaVideo, link);
  const otherVideo = join(dir, 'not-an-invite.y4m');
  writeQrVideo(otherVideo, 'https://example.org/not-a-parley-invite');
  const bob = await pageWithCamera(adaVideo, new URL(bobShell.url).origin, problems);
  const cat = await pageWithCamera(otherVideo, new URL(catShell.url).origin, problems);
  await createProfile(bob, bobShell, 'Bob');
  await createProfile(cat, catShell, 'Cat');

  // Cat's camera sees a QR code that is not an invite: said so, and nothing is filled in.
  await cat.getByTestId('add-contact').click();
  await cat.getByTestId('scan-invite').click();
  await expect(cat.getByTestId('invite-scanner-status')).toHaveText(/That QR code is not a Parley invite/, {
    timeout: PEER_TIMEOUT,
  });
  await expect(cat.getByTestId('accept-invite-input')).toHaveValue('');
  await checkScreenSizes(cat, 'add-contact-scanning');
  await cat.getByTestId('invite-scanner-stop').click();
  await expect(cat.getByTestId('invite-scanner')).toHaveCount(0);
  // The camera is released when scanning stops.
  await expect
    .poll(() =>
      cat.evaluate(() =>
        (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(
          'video',
        ),
      ),
    )
    .toBeNull();
  await expect(cat.getByTestId('scan-invite')).toBeFocused();

  // Bob scans Ada's code: the invite is filled in and Add has focus; nothing is added yet.
  await bob.getByTestId('add-contact').click();
  await bob.getByTestId('scan-invite').click();
  await expect(bob.getByTestId('accept-invite-input')).toHaveValue(link, { timeout: PEER_TIMEOUT });
  await expect(bob.getByTestId('invite-scanned')).toBeVisible();
  await expect(bob.getByTestId('invite-scanner')).toHaveCount(0);
  await expect(bob.getByTestId('accept-invite-submit')).toBeFocused();
  await checkScreenSizes(bob, 'add-contact-scanned');
  await bob.keyboard.press('Enter');
  await expect(bob.getByRole('dialog')).toHaveCount(0, { timeout: PEER_TIMEOUT });
  await expect(bob.getByTestId('chat-title')).toHaveText('Ada');

  // Ada's dialog, still open, no longer shows the spent invite: who used it, and a new one on request.
  await expect(ada.getByTestId('invite-used')).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect(ada.getByTestId('invite-used-by')).toHaveText('Bob');
  await expect(ada.getByTestId('invite-text')).toHaveCount(0);
  await expect(ada.getByTestId('invite-qr')).toHaveCount(0);
  await checkScreenSizes(ada, 'add-contact-invite-used');
  await ada.getByTestId('invite-new').click();
  await expect(ada.getByTestId('invite-text')).toHaveValue(/parley:\/\/invite\//);
  expect(await ada.getByTestId('invite-text').inputValue()).not.toContain(link);

  // The spent link says "already used"; garbage still says "not valid".
  await cat.getByTestId('accept-invite-input').fill(link);
  await cat.getByTestId('accept-invite-submit').click();
  await expect(cat.getByTestId('accept-invite-error')).toHaveText(
    'This invite was already used. Ask for a new one.',
    { timeout: PEER_TIMEOUT },
  );
  await checkScreenSizes(cat, 'add-contact-invite-already-used');
  await cat.getByTestId('accept-invite-input').fill('parley://invite/nonsense');
  await cat.getByTestId('accept-invite-submit').click();
  await expect(cat.getByTestId('accept-invite-error')).toHaveText(
    'This invite link is not valid or has expired.',
  );
  expect(problems).toEqual([]);
});
