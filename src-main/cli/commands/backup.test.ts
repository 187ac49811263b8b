import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli';
import type { CliIo } from '../io';
import { recordingIo, type FakeIo } from '../testing/fakeIo';

const PASSPHRASE = 'correct horse battery';
const BACKUP_PASSWORD = 'a different backup password';

let root: string;
let profile: string;

async function cli(argv: string[], env: Record<string, string> = {}, extra: Partial<CliIo> = {}) {
  const io: FakeIo = recordingIo(
    { PARLEY_PASSPHRASE: PASSPHRASE, PARLEY_BACKUP_PASSWORD: BACKUP_PASSWORD, ...env },
    extra,
  );
  const code = await runCli(argv, io);
  // Secrets are never echoed, whatever happened.
  expect(io.out + io.err).not.toContain(BACKUP_PASSWORD);
  expect(io.out + io.err).not.toContain(PASSPHRASE);
  return Object.assign(io, { code });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'parley-cli-backup-'));
  profile = join(root, 'profile');
  const init = await cli(['init', '--profile', profile, '--name', 'Ada']);
  expect(init.code).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('parley backup / restore', () => {
  it.each([
    [['backup', '--profile', 'x'], /--out FILE is required/],
    [['backup', '--profile', 'x', '--out', 'y', '--bogus'], /Unknown option '--bogus'/],
    [['backup', 'frobnicate', '--out', 'y'], /Unknown subcommand "frobnicate"/],
    [['backup', 'verify'], /--in FILE is required/],
    [['backup', 'verify', '--in', 'a', '--out', 'b'], /writes nothing/],
    [['restore', '--profile', 'x'], /--in is required/],
    [['restore', '--in', 'a', '--force'], /Unknown option '--force'/],
  ])('usage error %j exits 2', async (argv, message) => {
    const io = await cli(argv);
    expect(io.code).toBe(2);
    expect(io.err).toMatch(message);
  });

  it('has --help for both commands', async () => {
    const b = await cli(['backup', '--help']);
    expect(b.code).toBe(0);
    expect(b.out).toMatch(/backup verify --in FILE/);
    const r = await cli(['restore', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--replace/);
  });

  it('asks for the backup password twice in a terminal and refuses when they differ, writing nothing', async () => {
    const answers = ['first password 1', 'second password 2'];
    const out = join(root, 'mismatch.parley-backup');
    const io = await cli(
      ['backup', '--profile', profile, '--out', out],
      { PARLEY_BACKUP_PASSWORD: '' },
      { promptSecret: async () => answers.shift() ?? '' },
    );
    expect(io.code).toBe(2);
    expect(io.err).toMatch(/differ/);
    expect(existsSync(out)).toBe(false);
  });

  it('backs up, verifies and restores, with progress on stderr and a clear result on stdout', async () => {
    const out = join(root, 'ada.parley-backup');
    const backup = await cli(['backup', '--profile', profile, '--out', out]);
    expect(backup.code).toBe(0);
    expect(backup.out).toMatch(/Backup written: .*ada\.parley-backup/);
    expect(backup.err).toMatch(/parley backup: Encrypting and writing the archive/);

    const verify = await cli(['backup', 'verify', '--in', out]);
    expect(verify.code).toBe(0);
    expect(verify.out).toMatch(/^OK: the password is right/);

    const wrong = await cli(['backup', 'verify', '--in', out], { PARLEY_BACKUP_PASSWORD: 'not it at all' });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/That password does not open this backup/);

    const target = join(root, 'restored');
    const badRestore = await cli(['restore', '--in', out, '--profile', target], {
      PARLEY_BACKUP_PASSWORD: 'not it at all',
    });
    expect(badRestore.code).toBe(1);
    expect(existsSync(target)).toBe(false);

    const restore = await cli(['restore', '--in', out, '--profile', target]);
    expect(restore.code).toBe(0);
    expect(restore.out).toMatch(/Restored into .*restored/);
    expect(restore.err).toMatch(/parley restore: Decrypting and restoring the archive/);
    expect(readFileSync(join(target, 'profile.json'), 'utf8')).toBe(
      readFileSync(join(profile, 'profile.json'), 'utf8'),
    );

    const again = await cli(['restore', '--in', out, '--profile', target]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists in .*run the command again with --replace/);
    const replaced = await cli(['restore', '--in', out, '--profile', target, '--replace']);
    expect(replaced.code).toBe(0);
    expect(replaced.out).toMatch(/kept in .*before-restore-/);
    expect(readdirSync(target).some((n) => n.startsWith('before-restore-'))).toBe(true);

    // The restored profile unlocks with its passphrase and can itself be backed up.
    const second = await cli(['backup', '--profile', target, '--out', join(root, 'second.parley-backup')]);
    expect(second.code).toBe(0);
  });

  it('reports a damaged archive and a missing file clearly', async () => {
    const junk = join(root, 'junk.parley-backup');
    writeFileSync(junk, 'PARLEYBK but not really');
    const io = await cli(['backup', 'verify', '--in', junk]);
    expect(io.code).toBe(1);
    expect(io.err).toMatch(/cut short|damaged/);
    const missing = await cli(['restore', '--in', join(root, 'nope'), '--profile', join(root, 'p2')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/There is no file at/);
    expect(existsSync(join(root, 'p2'))).toBe(false);
  });

  it('refuses to back up a profile folder with no profile, and to overwrite an existing archive', async () => {
    const none = await cli(['backup', '--profile', join(root, 'empty'), '--out', join(root, 'e.bak')]);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/no profile/);
    const existing = join(root, 'exists.bak');
    writeFileSync(existing, 'keep me');
    const io = await cli(['backup', '--profile', profile, '--out', existing]);
    expect(io.code).toBe(1);
    expect(io.err).toMatch(/already exists/);
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
  });

  it('goes through a running parley node (which holds the profile) instead of opening it', async () => {
    let stopNode: () => void = () => {};
    const stopped = new Promise<void>((r) => (stopNode = r));
    const nodeIo = recordingIo({ PARLEY_PASSPHRASE: PASSPHRASE }, { untilStopped: () => stopped });
    let exit: number | null = null;
    const node = runCli(['node', '--profile', profile, '--listen', '/ip4/127.0.0.1/tcp/0'], nodeIo).then(
      (code) => (exit = code),
    );
    try {
      for (let i = 0; i < 300 && exit === null && !nodeIo.out.includes('Parley node running'); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(nodeIo.out).toContain('Parley node running');
      const out = join(root, 'via-node.parley-backup');
      // No unlock passphrase needed: the node has the profile open.
      const io = await cli(['backup', '--profile', profile, '--out', out], { PARLEY_PASSPHRASE: '' });
      expect(io.code).toBe(0);
      expect(io.err).toMatch(/The node running on this profile is writing the backup/);
      expect(io.out).toMatch(/Backup written/);
      const verify = await cli(['backup', 'verify', '--in', out]);
      expect(verify.code).toBe(0);
    } finally {
      stopNode();
      await node;
    }
  });
});
