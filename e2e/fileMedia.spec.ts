import { expect, test } from './fixtures/webShell';
import { connectTwoPeers, PEER_TIMEOUT } from './helpers/peers';
import { checkScreenSizes } from './helpers/screens';

/**
 * Issue #17 item 19: long file names are cut in the middle (the extension
 * stays), and audio and video files play in the conversation, between two
 * real peers.
 */
const LONG_NAME = 'Quarterly report with a rather long title and then some more words.wav';

/** One second of a 440 Hz tone, 8 kHz mono 16-bit PCM in a RIFF/WAVE container. */
function toneWav(): Buffer {
  const rate = 8000;
  const samples = rate;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 12000), i * 2);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0);
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8);
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(rate, 24);
  head.writeUInt32LE(rate * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36);
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

/** A one-page PDF (a blue box and a line of text), with a correct cross-reference table. */
function simplePdf(): Buffer {
  const content = '0 0 1 rg 72 600 300 120 re f BT /F1 28 Tf 72 540 Td (Hello from Parley) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A short WebM video recorded by the browser itself (a canvas through MediaRecorder), as base64. */
const RECORD_WEBM = `(async () => {
  const canvas = document.createElement('canvas');
  canvas.width = 160; canvas.height = 120;
  const g = canvas.getContext('2d');
  const stream = canvas.captureStream(15);
  const rec = new MediaRecorder(stream, { mimeType: 'video/webm' });
  const parts = [];
  rec.ondataavailable = (e) => parts.push(e.data);
  const done = new Promise((r) => (rec.onstop = r));
  rec.start();
  for (let i = 0; i < 20; i++) {
    g.fillStyle = 'hsl(' + i * 18 + ', 70%, 50%)';
    g.fillRect(0, 0, 160, 120);
    await new Promise((r) => setTimeout(r, 50));
  }
  rec.stop();
  await done;
  const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
})()`;

test('files: long names cut in the middle; audio and video play, a PDF shows its first page', async ({
  page,
  browser,
  startShell,
}) => {
  test.setTimeout(180_000);
  const { ada, bob, bobPeer, bobRow } = await connectTwoPeers(page, browser, startShell);
  await bob.getByTestId('composer-input').fill('a tone and a clip');
  await bob.getByTestId('composer-input').press('Enter');
  await bobRow.click();
  await expect(ada.getByTestId('message-body')).toHaveText(['a tone and a clip'], { timeout: PEER_TIMEOUT });

  const webm = Buffer.from((await bob.evaluate(RECORD_WEBM)) as string, 'base64');
  expect(webm.length).toBeGreaterThan(500);
  await bob.getByTestId('composer-file-input').setInputFiles([
    { name: LONG_NAME, mimeType: 'audio/wav', buffer: toneWav() },
    { name: 'clip.webm', mimeType: 'video/webm', buffer: webm },
    { name: 'minutes.pdf', mimeType: 'application/pdf', buffer: simplePdf() },
  ]);

  const adaFile = (name: string) => ada.getByTestId('file-bubble').filter({ hasText: name });
  const audio = adaFile('.wav');
  await expect(audio).toHaveAttribute('data-state', 'complete', { timeout: PEER_TIMEOUT });

  // The name is cut in the middle: its start shrinks with an ellipsis, the end and extension show.
  const name = audio.getByTestId('file-name');
  await expect(name).toHaveAttribute('title', LONG_NAME);
  await expect(name).toHaveText(LONG_NAME);
  await expect(name.locator('.file-bubble__name-end')).toHaveText('words.wav');
  const cut = await name
    .locator('.file-bubble__name-start')
    .evaluate((el: { scrollWidth: number; clientWidth: number }) => el.scrollWidth > el.clientWidth);
  expect(cut, 'the start of a long name is cut').toBe(true);

  // Audio plays here: the bytes load on Play, and the player knows the length.
  await audio.getByTestId('file-play').click();
  const player = audio.getByTestId('file-audio');
  await expect(player).toBeVisible();
  await expect
    .poll(() => player.evaluate((el: { duration: number }) => el.duration), { timeout: 10_000 })
    .toBeGreaterThan(0.9);

  const video = adaFile('clip.webm');
  await expect(video).toHaveAttribute('data-state', 'complete', { timeout: PEER_TIMEOUT });
  await video.getByTestId('file-play').click();
  const videoPlayer = video.getByTestId('file-video');
  await expect(videoPlayer).toBeVisible();
  await expect
    .poll(() => videoPlayer.evaluate((el: { videoWidth: number }) => el.videoWidth), { timeout: 10_000 })
    .toBe(160);
  await videoPlayer.evaluate((el: { pause(): void }) => el.pause());

  // A PDF shows its first page, drawn by PDF.js from the bytes the core decrypted.
  const pdf = adaFile('minutes.pdf');
  await expect(pdf).toHaveAttribute('data-state', 'complete', { timeout: PEER_TIMEOUT });
  await pdf.getByTestId('file-pdf-preview').click();
  await expect(pdf.getByTestId('file-pdf-pages')).toHaveText('Page 1 of 1', { timeout: 15_000 });
  const page1 = pdf.getByTestId('file-pdf-page');
  await expect(page1).toBeVisible();
  // The blue box is there: the page was really drawn.
  const blue = await page1.evaluate(
    (el: {
      width: number;
      height: number;
      getContext(k: '2d'): {
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    }) => {
      const { data } = el.getContext('2d').getImageData(0, 0, el.width, el.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if ((data[i + 2] ?? 0) > 200 && (data[i] ?? 0) < 60) n++;
      return n;
    },
  );
  expect(blue).toBeGreaterThan(1000);
  await ada.evaluate('document.querySelectorAll("audio,video").forEach((m) => m.pause())');
  await checkScreenSizes(ada, 'chat-file-media');
  expect(bobPeer.problems).toEqual([]);
});
