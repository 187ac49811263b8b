import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const built =
  existsSync(join(ROOT, 'out', 'cli', 'parley.mjs')) &&
  existsSync(join(ROOT, 'out', 'renderer', 'index.html'));
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-start-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('npm start without Electron', () => {
  // Needs the build (CI builds before testing); skipped with this reason otherwise.
  it.skipIf(!built)('stops the web shell cleanly when the process that launched it dies', async () => {
    const profile = join(root, 'profile');
    // Stands in for `sh -c`: a parent that launches start.mjs and then dies without forwarding anything.
    const launcher = spawn(
      process.execPath,
      [
        '-e',
        `const c = require('node:child_process').spawn(process.execPath, ${JSON.stringify([
          join(ROOT, 'scripts', 'start.mjs'),
          '--profile',
          profile,
        ])}, { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, PARLEY_KDF_FAST: '1', ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
         c.stdout.pipe(process.stdout);`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    launcher.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const deadline = Date.now() + 20_000;
      while (!out.includes('#token=') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain('starting the web shell instead');
      expect(existsSync(join(profile, 'parley.pid'))).toBe(true);
      launcher.kill('SIGKILL');
      const gone = Date.now() + 10_000;
      while (existsSync(join(profile, 'parley.pid')) && Date.now() < gone)
        await new Promise((r) => setTimeout(r, 100));
      expect(existsSync(join(profile, 'parley.pid'))).toBe(false);
    } finally {
      if (launcher.exitCode === null && launcher.signalCode === null) launcher.kill('SIGKILL');
    }
  });
});
