import { chromium, type Browser } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopProcess, summarize, timer, type BenchContext, type BenchResult } from './harness';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium';

/**
 * `parley web` start → first render: spawn the headless shell on a fresh
 * profile, wait for the URL it prints, open it in Debian's Chromium and wait
 * for the onboarding screen. Chromium is launched once, before the runs: its
 * start-up is not part of the web shell's.
 */
const RUNS = 5;
const URL_TIMEOUT_MS = 30_000;
const RENDER_TIMEOUT_MS = 30_000;
/** The onboarding screen: `onboarding` was agreed, the renderer and e2e use `onboarding-screen`. */
const ONBOARDING = '[data-testid="onboarding"], [data-testid="onboarding-screen"]';
const URL_PATTERN = /http:\/\/127\.0\.0\.1:(\d+)\/\S*#token=\S+/;

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  ensureBuilt(ctx);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  ctx.defer(() => browser.close());

  const urlMs: number[] = [];
  const renderMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { url, render } = await oneRun(ctx, browser, join(ctx.tmpDir, `profile-${i}`));
    urlMs.push(url);
    renderMs.push(render);
    ctx.log(
      `run ${i + 1}/${RUNS}: URL after ${url.toFixed(0)} ms, onboarding rendered after ${render.toFixed(0)} ms`,
    );
  }
  return [
    ...summarize('spawn_to_url', urlMs, ['p50', 'max']),
    ...summarize('spawn_to_first_render', renderMs, ['p50', 'max']),
  ];
}

async function oneRun(
  ctx: BenchContext,
  browser: Browser,
  profileDir: string,
): Promise<{ url: number; render: number }> {
  mkdirSync(profileDir, { recursive: true });
  const elapsed = timer();
  const child = spawn(process.execPath, ['bin/parley.mjs', 'web', '--profile', profileDir, '--port', '0'], {
    cwd: ctx.root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PARLEY_LOG: 'warn' },
  });
  const stop = () => stopProcess(child);
  ctx.defer(stop);
  try {
    const { url, port } = await waitForUrl(child);
    const urlMs = elapsed();
    assertLoopbackOnly(port);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForSelector(ONBOARDING, { state: 'visible', timeout: RENDER_TIMEOUT_MS });
      return { url: urlMs, render: elapsed() };
    } finally {
      await context.close();
    }
  } finally {
    await stop();
  }
}

/** Builds the CLI bundle and the renderer when either is missing. */
function ensureBuilt(ctx: BenchContext): void {
  const cli = join(ctx.root, 'out/cli/parley.mjs');
  const renderer = join(ctx.root, 'out/renderer/index.html');
  if (existsSync(cli) && existsSync(renderer)) return;
  ctx.log('out/cli or out/renderer missing: running `npm run build`');
  const build = spawnSync('npm', ['run', 'build'], {
    cwd: ctx.root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (build.status !== 0 || !existsSync(cli) || !existsSync(renderer)) {
    throw new Error('`npm run build` did not produce out/cli/parley.mjs and out/renderer/index.html');
  }
}

function waitForUrl(child: ChildProcess): Promise<{ url: string; port: number }> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = URL_PATTERN.exec(output);
      if (match) {
        done();
        resolve({ url: match[0], port: Number(match[1]) });
      }
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`parley web exited (${code}) before printing its URL:\n${redact(output)}`));
    };
    const timeout = setTimeout(() => {
      done();
      reject(new Error(`parley web printed no URL within ${URL_TIMEOUT_MS} ms:\n${redact(output)}`));
    }, URL_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timeout);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining so a chatty child never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** The token is a secret of the run; never print it. */
function redact(text: string): string {
  return text.replace(/#token=\S+/g, '#token=…');
}

/**
 * The web shell must listen on 127.0.0.1 only. Reads the kernel's socket table
 * (Linux) for the printed port and fails on any other local address.
 */
function assertLoopbackOnly(port: number): void {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A = LISTEN
      const [address, p] = local.split(':');
      if (p !== hexPort) continue;
      const loopback = address === '0100007F' || address === '00000000000000000000000001000000';
      if (!loopback) throw new Error(`parley web listens on ${address}:${port}; it must bind 127.0.0.1 only`);
    }
  }
}
