import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures/webShell';
import { connectTwoPeers, PEER_TIMEOUT } from './helpers/peers';
import { encodePng } from './helpers/png';
import { checkScreen } from './helpers/screens';

/**
 * Files between two web shells (issue #7 item 4): attach by button, upload
 * progress, the file and the image on the other side (thumbnail first, then
 * the bytes), a large file that waits for "Download", and the image viewer.
 */

/** A PNG (a gradient with a disc and a square), so the thumbnail has something to show. */
function drawPng(hue: number): Buffer {
  const width = 960;
  const height = 640;
  return encodePng(width, height, (x, y) => {
    const t = (x + y) / (width + height);
    const inDisc = (x - 300) ** 2 + (y - 320) ** 2 < 160 ** 2;
    const inSquare = x >= 560 && x < 820 && y >= 200 && y < 440;
    if (inDisc || inSquare) return [235, 235, 235];
    return [
      Math.round(((Math.sin((hue / 360) * 6.28) + 1) / 2) * 200 * (1 - t) + 30),
      Math.round(120 * t + 40),
      Math.round(((Math.cos((hue / 360) * 6.28) + 1) / 2) * 200 * t + 40),
    ];
  });
}

test('files: attach, progress, thumbnail on the other side, download, viewer', async ({
  page,
  browser,
  startShell,
}) => {
  test.setTimeout(180_000);
  const { ada, bob, bobPeer, bobRow } = await connectTwoPeers(page, browser, startShell);
  await bob.getByTestId('composer-input').fill('photos and the report');
  await bob.getByTestId('composer-input').press('Enter');
  await bobRow.click();
  await expect(ada.getByTestId('message-body')).toHaveText(['photos and the report'], {
    timeout: PEER_TIMEOUT,
  });

  // --- Bob attaches: two images and a report, then a file too large to fetch by itself ---
  const pngA = drawPng(210);
  const pngB = drawPng(20);
  const report = randomBytes(3 * 1024 * 1024);
  const input = bob.getByTestId('composer-file-input');
  await input.setInputFiles([
    { name: 'harbour.png', mimeType: 'image/png', buffer: pngA },
    { name: 'sunset.png', mimeType: 'image/png', buffer: pngB },
    { name: 'report.pdf', mimeType: 'application/pdf', buffer: report },
  ]);
  // The timeline is virtualized: look for each file by name, the newest is in view.
  const bobFile = (name: string) => bob.getByTestId('file-bubble').filter({ hasText: name });
  await expect(bobFile('report.pdf')).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect(bob.getByTestId('uploads')).toHaveCount(0);

  // 30 MB through the bridge (binary frames, 512 KiB pieces): the upload bar shows while it is staged.
  // From a file on disk: a buffer would first cross Playwright's protocol as base64, which takes
  // far longer than the upload itself and is no part of what a user waits for.
  const bigDir = mkdtempSync(join(tmpdir(), 'parley-e2e-upload-'));
  const bigPath = join(bigDir, 'dataset.bin');
  writeFileSync(bigPath, randomBytes(30 * 1024 * 1024));
  const started = Date.now();
  await input.setInputFiles(bigPath);
  await expect(bob.getByTestId('upload-progress')).toBeVisible();
  await expect(bobFile('dataset.bin')).toBeVisible({ timeout: 60_000 });
  const stagedMs = Date.now() - started;
  rmSync(bigDir, { recursive: true, force: true });
  test.info().annotations.push({ type: 'staging', description: `30 MB staged in ${stagedMs} ms` });
  console.log(`files.spec: 30 MB staged through the web shell in ${stagedMs} ms`);
  await expect(bobFile('dataset.bin')).toHaveAttribute('data-direction', 'outgoing');

  // --- Ada: thumbnails first, small files download by themselves, the big one on request ---
  await expect(bobRow.getByTestId('conversation-preview')).toHaveText('dataset.bin', {
    timeout: PEER_TIMEOUT,
  });
  const bubbles = ada.getByTestId('file-bubble');
  await expect(bubbles.filter({ hasText: 'dataset.bin' })).toBeVisible({ timeout: PEER_TIMEOUT });
  await ada.getByTestId('timeline').evaluate((el) => {
    el.scrollTop = 0;
  });
  const harbour = bubbles.filter({ hasText: 'harbour.png' });
  await expect(harbour.getByTestId('file-thumbnail')).toBeVisible();
  await expect(harbour).toHaveAttribute('data-state', 'complete', { timeout: PEER_TIMEOUT });
  await expect(bubbles.filter({ hasText: 'report.pdf' })).toHaveAttribute('data-state', 'complete', {
    timeout: PEER_TIMEOUT,
  });
  const dataset = bubbles.filter({ hasText: 'dataset.bin' });
  await dataset.scrollIntoViewIfNeeded();
  await expect(dataset).toHaveAttribute('data-state', 'pending');
  await expect(dataset.getByTestId('file-status')).toHaveText(/not downloaded/);
  await checkScreen(ada, 'files-chat');

  await dataset.getByTestId('file-download').click();
  await expect(dataset).toHaveAttribute('data-state', 'complete', { timeout: 60_000 });
  await expect(dataset.getByTestId('file-save')).toBeVisible();

  // Save goes through the browser's download with the file's own name and bytes.
  const downloadEvent = ada.waitForEvent('download');
  await bubbles.filter({ hasText: 'report.pdf' }).getByTestId('file-save').click();
  const download = await downloadEvent;
  expect(download.suggestedFilename()).toBe('report.pdf');
  const saved = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of saved) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).equals(report)).toBe(true);

  // --- The viewer: opens on the image, arrows step, Escape closes ---
  await ada.getByTestId('timeline').evaluate((el) => {
    el.scrollTop = 0;
  });
  await harbour.getByTestId('file-thumbnail').click();
  const viewer = ada.getByTestId('image-viewer');
  await expect(viewer).toBeVisible();
  await expect(ada.getByTestId('viewer-image')).toBeVisible();
  await expect(ada.getByTestId('viewer-position')).toHaveText(/1 of 2/);
  await checkScreen(ada, 'files-viewer');
  await ada.keyboard.press('ArrowRight');
  await expect(ada.getByTestId('viewer-position')).toHaveText(/2 of 2/);
  await expect(viewer.getByRole('heading')).toHaveText('sunset.png');
  await ada.keyboard.press('ArrowLeft');
  await expect(ada.getByTestId('viewer-position')).toHaveText(/1 of 2/);
  await ada.keyboard.press('Escape');
  await expect(viewer).toHaveCount(0);

  await bobPeer.context.close();
  expect(bobPeer.problems, 'CSP violations or uncaught errors').toEqual([]);
});
