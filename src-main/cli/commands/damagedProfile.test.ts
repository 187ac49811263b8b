import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore } from '../../core/core';
import { flipByteInPage, pageSize, pagesOf } from '../../core/store/testing/damage';
import { runCli } from '../cli';
import { cliCoreOptions } from '../coreOptions';
import { recordingIo, type FakeIo } from '../testing/fakeIo';

/**
 * Issue #14 item 8: clear errors instead of "internal error" / "unexpected
 * failure: Error" for a flipped byte in a database page, a read-only profile
 * folder and a 0-byte parley.db (which a read command must never turn into a
 * new, empty database by writing a schema into it).
 */

const PASSPHRASE = 'correct horse battery';
const root = typeof process.getuid === 'function' && process.getuid() === 0 && process.platform === 'linux';
const io = (): FakeIo => recordingIo({ PARLEY_PASSPHRASE: PASSPHRASE });

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'parley-damaged-'));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** A profile with a few messages to search. */
async function profileWithMessages(dir: string): Promise<void> {
  expect(await runCli(['init', '--profile', dir, '--name', 'Ada'], io())).toBe(0);
  const core = createCore(cliCoreOptions(dir, 'cli', io()));
  try {
    expect((await core.dispatch('profile.unlock', { passphrase: PASSPHRASE })).ok).toBe(true);
    const s = core.store();
    const conversationId = s.conversations.create({
      kind: 'group',
      name: 'lab',
      groupId: Buffer.alloc(16, 1),
      ciphersuite: 1,
      createdAt: 1,
    });
    for (let i = 0; i < 300; i++) {
      s.messages.insert({
        conversationId,
        uid: i.toString(16).padStart(32, '0'),
        senderKey: Buffer.alloc(32, 2),
        outgoing: false,
        body: `harbour lantern meridian ${i} ${'tundra '.repeat(20)}`,
        replyToUid: null,
        mentions: null,
        sentAt: i,
        receivedAt: i,
        state: 'received',
      });
    }
  } finally {
    await core.close();
  }
}

describe('parley search on a damaged profile', () => {
  it('a flipped byte in a page of the search index: "damaged, restore from a backup", exit 1', async () => {
    const dir = join(base, 'p');
    await profileWithMessages(dir);
    const core = createCore(cliCoreOptions(dir, 'cli', io()));
    const { pages, size } = await (async () => {
      try {
        await core.dispatch('profile.unlock', { passphrase: PASSPHRASE });
        return { pages: pagesOf(core.store().db, 'messages_fts_data'), size: pageSize(core.store().db) };
      } finally {
        await core.close();
      }
    })();
    expect(pages.length).toBeGreaterThan(1);
    for (const p of pages) flipByteInPage(join(dir, 'parley.db'), p, size);

    const out = io();
    const code = await runCli(['search', '--profile', dir, 'harbour'], out);
    expect(code).toBe(1);
    expect(out.err).toContain('The database of this profile is damaged. Restore the profile from a backup.');
    expect(out.err).not.toMatch(/unexpected failure|internal error/i);
  });

  it('a 0-byte parley.db: "empty, restore from a backup", and the file stays untouched', async () => {
    const dir = join(base, 'p');
    expect(await runCli(['init', '--profile', dir, '--name', 'Ada'], io())).toBe(0);
    truncateSync(join(dir, 'parley.db'), 0);
    const out = io();
    expect(await runCli(['search', '--profile', dir, 'anything'], out)).toBe(1);
    expect(out.err).toMatch(/database file of this profile is empty .* Restore the profile from a backup/);
    expect(statSync(join(dir, 'parley.db')).size).toBe(0);
    expect(existsSync(join(dir, 'parley.db-wal'))).toBe(false);

    // Unlocking through the core directly is refused the same way, and writes nothing either.
    const core = createCore(cliCoreOptions(dir, 'cli', io()));
    try {
      expect(await core.dispatch('profile.unlock', { passphrase: PASSPHRASE })).toMatchObject({
        ok: false,
        error: { code: 'DATABASE_CORRUPT' },
      });
    } finally {
      await core.close();
    }
    expect(statSync(join(dir, 'parley.db')).size).toBe(0);
  });

  it.skipIf(!root)('a read-only profile folder: says the disk is read-only, exit 1', async () => {
    const mnt = join(base, 'mnt');
    execFileSync('mkdir', [mnt]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', mnt]);
    try {
      const dir = join(mnt, 'p');
      await profileWithMessages(dir);
      execFileSync('mount', ['-o', 'remount,ro', mnt]);
      const out = io();
      expect(await runCli(['search', '--profile', dir, 'harbour'], out)).toBe(1);
      expect(out.err).toMatch(/the disk is read-only/);
      expect(out.err).not.toMatch(/unexpected failure|internal error/i);
    } finally {
      execFileSync('umount', ['-l', mnt]);
    }
  });
});
