import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli';
import { recordingIo } from '../testing/fakeIo';

/**
 * Issue #14 item 5: `parley node` printed "running" and exited 0 when its
 * network failed to start (port taken); `parley web --port N` on a taken
 * port said "unexpected failure: Error".
 */

const PASSPHRASE = 'correct horse battery';
let root: string;
let server: Server;
let port: number;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'parley-start-'));
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  port = address.port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(root, { recursive: true, force: true });
});

describe('a command whose port is taken', () => {
  it('parley node exits 1 and names the port, without claiming to run', async () => {
    const profile = join(root, 'node');
    const init = recordingIo({ PARLEY_PASSPHRASE: PASSPHRASE });
    expect(await runCli(['init', '--profile', profile, '--name', 'Ada'], init)).toBe(0);
    // Never stopped from outside: the node must give up by itself.
    const io = recordingIo({ PARLEY_PASSPHRASE: PASSPHRASE }, { untilStopped: () => new Promise(() => {}) });
    const code = await runCli(['node', '--profile', profile, '--listen', `/ip4/127.0.0.1/tcp/${port}`], io);
    expect(code).toBe(1);
    expect(io.err).toContain(`port ${port} is in use`);
    expect(io.out).not.toMatch(/running/);
  });

  it('parley web --port N exits 1 and says the port is in use', async () => {
    const renderer = join(root, 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Parley</title>');
    const io = recordingIo({ PARLEY_RENDERER_DIR: renderer }, { untilStopped: () => new Promise(() => {}) });
    const code = await runCli(['web', '--profile', join(root, 'web'), '--port', String(port)], io);
    expect(code).toBe(1);
    expect(io.err).toContain(`Port ${port} is in use`);
    expect(io.err).not.toMatch(/unexpected failure/);
  });
});
