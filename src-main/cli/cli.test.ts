import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runCli } from './cli';
import type { CliIo } from './io';
import { defaultProfileDir } from './defaultProfileDir';
import { recordingIo, type FakeIo } from './testing/fakeIo';

let root: string;

const fakeIo = (env: Record<string, string> = {}, extra: Partial<CliIo> = {}): FakeIo =>
  recordingIo(env, extra);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-cli-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('parley --help', () => {
  it('lists every command and exits 0', async () => {
    const io = fakeIo();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.out).toMatch(/init\s+Create a new encrypted profile/);
    expect(io.out).toMatch(/web\s+Serve the Parley UI/);
  });

  it('describes each command with its options', async () => {
    for (const argv of [
      ['init', '--help'],
      ['help', 'init'],
    ]) {
      const io = fakeIo();
      expect(await runCli(argv, io)).toBe(0);
      expect(io.out).toContain('Usage: parley init [--profile DIR] --name NAME');
      expect(io.out).toContain('PARLEY_PASSPHRASE');
    }
    const web = fakeIo();
    expect(await runCli(['web', '-h'], web)).toBe(0);
    expect(web.out).toContain('--port N');
  });

  it('without arguments prints help and exits 2', async () => {
    const io = fakeIo();
    expect(await runCli([], io)).toBe(2);
    expect(io.out).toContain('Usage: parley COMMAND');
  });
});

describe('usage errors exit with 2 and a clear message', () => {
  it.each([
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['init', '--name', 'A', '--passphrase', 'x'], /Unknown option '--passphrase'/],
    [['web', '--bogus'], /Unknown option '--bogus'/],
    [['init'], /--name is required/],
    [['init', '--name'], /--name/],
    [['web', '--port', 'http'], /--port must be a number/],
    [['init', '--name', 'A', 'extra'], /Unexpected argument 'extra'/],
  ])('%j', async (argv, message) => {
    const io = fakeIo();
    expect(await runCli(argv, io)).toBe(2);
    expect(io.err).toMatch(message);
  });
});

describe('parley init', () => {
  it('creates a profile with the passphrase from PARLEY_PASSPHRASE', async () => {
    const dir = join(root, 'p');
    const io = fakeIo({ PARLEY_PASSPHRASE: 'correct horse battery' });
    expect(await runCli(['init', '--profile', dir, '--name', 'Ada'], io)).toBe(0);
    expect(io.out).toContain('Created an encrypted profile for Ada');
    expect(readdirSync(dir).sort()).toEqual(['attachments', 'parley.db', 'profile.json']);
  });

  it('asks twice in a terminal and creates nothing when the answers differ', async () => {
    const dir = join(root, 'p');
    const answers = ['correct horse battery', 'correct horse batterx'];
    const io = fakeIo({}, { promptSecret: async () => answers.shift() ?? '' });
    expect(await runCli(['init', '--profile', dir, '--name', 'Ada'], io)).toBe(2);
    expect(io.err).toContain('differ');
    expect(existsSync(join(dir, 'profile.json'))).toBe(false);
  });

  it('without a terminal and without PARLEY_PASSPHRASE, says how to give one and creates nothing', async () => {
    const dir = join(root, 'p');
    const io = fakeIo();
    expect(await runCli(['init', '--profile', dir, '--name', 'Ada'], io)).toBe(2);
    expect(io.err).toContain('PARLEY_PASSPHRASE');
    expect(existsSync(join(dir, 'profile.json'))).toBe(false);
  });

  it('refuses a weak passphrase (exit 1) and never overwrites a profile', async () => {
    const dir = join(root, 'p');
    const weak = fakeIo({ PARLEY_PASSPHRASE: 'short' });
    expect(await runCli(['init', '--profile', dir, '--name', 'Ada'], weak)).toBe(1);
    expect(weak.err).toContain('at least 8 characters');
    expect(
      await runCli(
        ['init', '--profile', dir, '--name', 'Ada'],
        fakeIo({ PARLEY_PASSPHRASE: 'correct horse battery' }),
      ),
    ).toBe(0);
    const again = fakeIo({ PARLEY_PASSPHRASE: 'another passphrase!' });
    expect(await runCli(['init', '--profile', dir, '--name', 'Eve'], again)).toBe(1);
    expect(again.err).toContain('never overwritten');
  });
});

describe('parley web', () => {
  it('prints a tokenized 127.0.0.1 URL, serves the bridge, and stops cleanly', async () => {
    const renderer = join(root, 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Parley</title>');
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const io = fakeIo({ PARLEY_RENDERER_DIR: renderer }, { untilStopped: () => stopped });
    const run = runCli(['web', '--profile', join(root, 'p'), '--port', '0'], io);
    const deadline = Date.now() + 10_000;
    while (!io.out.includes('#token=') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const url = new URL(/http:\/\/\S+/.exec(io.out)?.[0] ?? '');
    expect(url.hostname).toBe('127.0.0.1');
    const token = url.hash.replace('#token=', '');
    expect(token.length).toBeGreaterThanOrEqual(40);
    const ws = new WebSocket(`ws://${url.host}/bridge?token=${token}`, { origin: `http://${url.host}` });
    await new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject));
    ws.close();
    stop();
    expect(await run).toBe(0);
  });

  it('says to build first when the UI is missing', async () => {
    const io = fakeIo({ PARLEY_RENDERER_DIR: join(root, 'nothing-here') });
    expect(await runCli(['web', '--profile', join(root, 'p')], io)).toBe(1);
    expect(io.err).toContain('npm run build');
  });
});

describe('defaultProfileDir', () => {
  it('follows each platform convention', () => {
    expect(defaultProfileDir({ XDG_CONFIG_HOME: '/x' }, 'linux', '/home/a')).toBe('/x/Parley/profile');
    expect(defaultProfileDir({}, 'linux', '/home/a')).toBe('/home/a/.config/Parley/profile');
    expect(defaultProfileDir({}, 'darwin', '/Users/a')).toBe(
      '/Users/a/Library/Application Support/Parley/profile',
    );
  });
});
