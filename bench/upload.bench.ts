import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium';
import { round, stopProcess, type BenchContext, type BenchResult } from './harness';

/**
 * Web-shell uploads (issue #15 item 5): a file chosen in the browser staged
 * into the core over the tab's authenticated WebSocket, the way the renderer
 * does it (filesSlice.sendOne → files.stageBegin, files.stageChunk per 512 KiB
 * slice of the File; stageCancel at the end so nothing is sent).
 *
 * - upload.binary_mb_per_s: chunks as binary frames, the bytes raw, four in
 *   flight (now).
 * - upload.base64_mb_per_s: the same file as base64 inside JSON text frames,
 *   one at a time (before), measured in the same run as the baseline.
 * - upload.speedup: binary / base64.
 *
 * Both run in Debian's Chromium against `parley web` on 127.0.0.1 (networking
 * on loopback, as the e2e peers); machine-dependent, so compare the ratio.
 */
const MB = 1024 * 1024;
const SIZE = Number(process.env.PARLEY_BENCH_UPLOAD_MB ?? 64) * MB;
const URL_PATTERN = /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/;

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const profileDir = join(ctx.tmpDir, 'profile');
  mkdirSync(profileDir, { recursive: true });
  const child = spawn(process.execPath, ['bin/parley.mjs', 'web', '--profile', profileDir, '--port', '0'], {
    cwd: ctx.root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PARLEY_LOG: 'warn',
      PARLEY_KDF_FAST: '1',
      PARLEY_LISTEN: '/ip4/127.0.0.1/tcp/0',
    },
  });
  ctx.defer(() => stopProcess(child));
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timeout = setTimeout(() => reject(new Error('parley web printed no URL')), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = URL_PATTERN.exec(output);
      if (match) {
        clearTimeout(timeout);
        resolve(match[0]);
      }
    });
    child.stderr.resume();
  });

  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  ctx.defer(() => browser.close());
  const page = await browser.newPage();
  await page.goto(url);
  await page.getByTestId('onboarding-display-name').fill('Bench');
  await page.getByTestId('onboarding-passphrase').fill('quiet-lantern-orbit-47');
  await page.getByTestId('onboarding-confirm').fill('quiet-lantern-orbit-47');
  await page.getByTestId('onboarding-submit').click();
  await page.getByTestId('home-screen').waitFor({ timeout: 30_000 });

  // A string, not a function: the bench runs under tsx, whose helpers (__name) do not exist in the page.
  const measured = (await page.evaluate(`(async (size) => {${UPLOAD_SCRIPT}})(${SIZE})`)) as {
    binaryMs: number;
    base64Ms: number;
  };

  const mbps = (ms: number) => round(SIZE / MB / (ms / 1000));
  ctx.log(
    `${SIZE / MB} MB: binary ${measured.binaryMs.toFixed(0)} ms (${mbps(measured.binaryMs)} MB/s), ` +
      `base64 ${measured.base64Ms.toFixed(0)} ms (${mbps(measured.base64Ms)} MB/s)`,
  );
  return [
    { metric: 'upload.binary_mb_per_s', value: mbps(measured.binaryMs), unit: 'MB/s' },
    { metric: 'upload.base64_mb_per_s', value: mbps(measured.base64Ms), unit: 'MB/s' },
    { metric: 'upload.speedup', value: round(measured.base64Ms / measured.binaryMs), unit: 'x' },
  ];
}

/** What the renderer does for an upload, both ways, in the page (plain JS). */
const UPLOAD_SCRIPT = String.raw`
    // The tab's own secret (kept by the renderer after it spent the URL token).
    const secret = sessionStorage.getItem('parley.webShellSecret');
    if (!secret) throw new Error('no tab secret');
    const ws = new WebSocket('ws://' + location.host + '/bridge?secret=' + encodeURIComponent(secret));
    ws.binaryType = 'arraybuffer';
    await new Promise((resolve, reject) => {
      ws.addEventListener('message', resolve, { once: true });
      ws.addEventListener('close', reject, { once: true });
    });
    let nextId = 1;
    const waiting = new Map();
    ws.addEventListener('message', (e) => {
      const frame = JSON.parse(String(e.data));
      if (frame.t === 'res' && frame.id !== undefined) waiting.get(frame.id)?.(frame.reply);
    });
    const call = (name, params, bytes) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        if (!bytes) {
          ws.send(JSON.stringify({ t: 'req', id, name, params }));
          return;
        }
        const header = new TextEncoder().encode(JSON.stringify({ t: 'req', id, name, params, bin: 'data' }));
        const frame = new Uint8Array(4 + header.length + bytes.length);
        new DataView(frame.buffer).setUint32(0, header.length);
        frame.set(header, 4);
        frame.set(bytes, 4 + header.length);
        ws.send(frame);
      });
    const toBase64 = (bytes) => {
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000)
        binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    };
    const block = new Uint8Array(1024 * 1024);
    for (let i = 0; i < block.length; i += 65536) crypto.getRandomValues(block.subarray(i, i + 65536));
    const file = new File(
      Array.from({ length: size / block.length }, () => block),
      'bench.bin',
    );

    const stage = async (binary) => {
      const begun = await call('files.stageBegin', { name: file.name, size: file.size, mime: 'application/octet-stream' });
      if (!begun.ok) throw new Error(JSON.stringify(begun.error));
      const { stageId, chunkBytes } = begun.value;
      const start = performance.now();
      // Now: raw bytes, 4 chunks in flight (filesSlice). Before: base64 in JSON, one at a time.
      const depth = binary ? 4 : 1;
      const inFlight = [];
      const settle = async () => {
        const reply = await inFlight.shift();
        if (reply && !reply.ok) throw new Error(JSON.stringify(reply.error));
      };
      for (let offset = 0; offset < file.size; ) {
        const piece = new Uint8Array(await file.slice(offset, offset + chunkBytes).arrayBuffer());
        inFlight.push(
          binary
            ? call('files.stageChunk', { stageId, offset }, piece)
            : call('files.stageChunk', { stageId, offset, data: toBase64(piece) }),
        );
        offset += piece.length;
        if (inFlight.length >= depth) await settle();
      }
      while (inFlight.length > 0) await settle();
      const ms = performance.now() - start;
      await call('files.stageCancel', { stageId });
      return ms;
    };
    const binaryMs = await stage(true);
    const base64Ms = await stage(false);
    ws.close();
    return { binaryMs, base64Ms };
`;
