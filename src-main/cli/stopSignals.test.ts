import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-stop-'));
  mkdirSync(join(root, 'renderer'));
  writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>Parley</title>');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('stopping a long-running command', () => {
  it('shuts down cleanly and releases the profile when Ctrl+C arrives twice (terminal + launcher)', async () => {
    const profile = join(root, 'profile');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, 'web', '--profile', profile, '--port', '0'],
      {
        env: { ...process.env, PARLEY_RENDERER_DIR: join(root, 'renderer'), PARLEY_KDF_FAST: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const deadline = Date.now() + 15_000;
      while (!out.includes('stop with Ctrl+C') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain('#token=');
      // The handlers are installed right after the last line is written; on a loaded machine a
      // signal sent the instant the line arrives can still beat them (the default action kills).
      await new Promise((r) => setTimeout(r, 300));
      expect(existsSync(join(profile, 'parley.pid'))).toBe(true);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(existsSync(join(profile, 'parley.pid'))).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
