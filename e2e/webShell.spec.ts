import { createServer } from 'node:net';
import { expect, test } from './fixtures/webShell';
import { createProfile, openPeerPage, PEER_ENV } from './helpers/peers';
import { checkScreenSizes } from './helpers/screens';

/** A port that was free a moment ago, to start a second run where the first one listened. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

test('the printed address works in one tab: a reload works, another browser is refused', async ({
  page,
  browser,
  webShell,
}) => {
  await page.goto(webShell.url);
  await expect(page.getByTestId('onboarding-screen')).toBeVisible();
  // The token left the address bar; the tab keeps its own secret instead.
  await expect.poll(() => new URL(page.url()).hash).toBe('');
  await page.reload();
  await expect(page.getByTestId('onboarding-screen')).toBeVisible();

  const other = await openPeerPage(browser);
  try {
    await other.page.goto(webShell.url);
    await expect(other.page.getByTestId('refused-screen')).toBeVisible();
    await expect(other.page.getByTestId('refused-message')).toContainText('one browser tab only');
    // It says why once and stays put: no reconnect banner, no retry loop.
    await expect(other.page.getByTestId('connection-banner')).toHaveCount(0);
    await checkScreenSizes(other.page, 'web-link-used');
    expect(other.problems).toEqual([]);
  } finally {
    await other.context.close();
  }
  // The first tab is unaffected.
  await page.reload();
  await expect(page.getByTestId('onboarding-screen')).toBeVisible();
});

test('a tab left from an earlier run says so instead of reconnecting for ever', async ({
  page,
  startShell,
}) => {
  const port = await freePort();
  const first = await startShell({ port });
  await page.goto(first.url);
  await expect(page.getByTestId('onboarding-screen')).toBeVisible();
  await first.stop();
  await expect(page.getByTestId('connection-banner')).toBeVisible();
  // A new run on the same address: the tab's secret belongs to the old one.
  await startShell({ port });
  await expect(page.getByTestId('refused-screen')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('refused-message')).toContainText('earlier run');
  await checkScreenSizes(page, 'web-earlier-run');
});

test('networking off: the status bar says Offline with Go online, never Connected', async ({
  page,
  startShell,
}) => {
  // Loopback only, as every e2e peer; --offline starts it the way a plain `parley web` starts.
  const shell = await startShell({ env: PEER_ENV, args: ['--offline'] });
  await createProfile(page, shell, 'Grace Hopper');
  const net = page.getByTestId('status-net');
  await expect(net).toHaveAttribute('data-state', 'offline');
  await expect(net).toContainText('Offline');
  await expect(page.getByTestId('status-area')).not.toContainText('Connected');
  await checkScreenSizes(page, 'web-offline');

  // Emoji render from the bundled colour font where the system has none (Debian here has none):
  // the font loads from the app's own origin under the page's CSP.
  const loaded = await page.evaluate(async () => {
    // The page's FontFaceSet (e2e is typed without the DOM library).
    type Fonts = { load(font: string, text: string): Promise<{ status: string }[]> };
    const fonts = (globalThis as unknown as { document: { fonts: Fonts } }).document.fonts;
    const faces = await fonts.load('16px "Parley Emoji"', '😀🎉');
    return faces.map((f) => f.status);
  });
  expect(loaded.length).toBeGreaterThan(0);
  expect(loaded.every((status) => status === 'loaded')).toBe(true);

  await page.getByTestId('go-online').click();
  await expect(net).toHaveAttribute('data-state', /looking|connected/);
  await expect(page.getByTestId('go-online')).toHaveCount(0);
  await expect(page.getByTestId('status-area')).not.toContainText('Offline');
  await expect(page.getByTestId('status-area')).not.toContainText('Connected');
});
