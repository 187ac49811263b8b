import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../core';
import { OPEN_MARKER_FILE } from '../profile/profileService';
import { PROFILE_HEADER_FILE } from './profileHeader';

/**
 * Issue #14 item 6: acknowledged messages stayed only in the write-ahead log
 * until 32 MiB built up; after kill -9 and a lost `parley.db-wal`, 50 of 50
 * delivered messages were gone and integrity_check said ok.
 *
 * The crash is played by copying the profile folder while the app still has
 * it open (what a kill -9 leaves on disk), without the log file.
 */

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const PASSPHRASE = 'correct horse battery';
let base: string;
const cores: Core[] = [];

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'parley-wal-'));
});
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  rmSync(base, { recursive: true, force: true });
});

function open(dir: string): Core {
  const core = createCore({
    profileDir: dir,
    shell: 'cli',
    version: 't',
    kdfCost: FAST_KDF,
    checkpointQuietMs: 300,
    checkIntegrity: async () => ({ ok: true, problems: 0 }),
  });
  cores.push(core);
  return core;
}

/** 50 received messages in one conversation, each committed on its own like a delivery. */
function receiveFifty(core: Core): void {
  const s = core.store();
  const conversationId = s.conversations.create({
    kind: 'group',
    name: 'lab',
    groupId: Buffer.alloc(16, 1),
    ciphersuite: 1,
    createdAt: Date.now(),
  });
  for (let i = 0; i < 50; i++) {
    s.messages.insert({
      conversationId,
      uid: i.toString(16).padStart(32, '0'),
      senderKey: Buffer.alloc(32, 2),
      outgoing: false,
      body: `delivered ${i}`,
      replyToUid: null,
      mentions: null,
      sentAt: Date.now(),
      receivedAt: Date.now(),
      state: 'received',
    });
  }
}

/** What a kill -9 leaves, minus the log file. */
function crashCopyWithoutLog(from: string, to: string): void {
  mkdirSync(to, { mode: 0o700 });
  for (const file of [PROFILE_HEADER_FILE, 'parley.db', OPEN_MARKER_FILE]) {
    if (existsSync(join(from, file))) copyFileSync(join(from, file), join(to, file));
  }
}

function countMessages(core: Core): number {
  return (core.store().db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
}

describe('the write-ahead log', () => {
  it('is checkpointed soon after a burst goes quiet: a lost log after a crash loses nothing', async () => {
    const dir = join(base, 'live');
    const live = open(dir);
    await live.dispatch('profile.create', { displayName: 'Ada', passphrase: PASSPHRASE });
    receiveFifty(live);
    await new Promise((r) => setTimeout(r, 1_500));
    crashCopyWithoutLog(dir, join(base, 'after-crash'));

    const after = open(join(base, 'after-crash'));
    expect(await after.dispatch('profile.unlock', { passphrase: PASSPHRASE })).toMatchObject({ ok: true });
    expect(countMessages(after)).toBe(50);
  });

  it('a lost log after an unclean stop is reported; a clean stop reports nothing', async () => {
    const dir = join(base, 'live');
    const live = open(dir);
    await live.dispatch('profile.create', { displayName: 'Ada', passphrase: PASSPHRASE });
    receiveFifty(live);
    crashCopyWithoutLog(dir, join(base, 'after-crash'));
    const after = open(join(base, 'after-crash'));
    const status = await after.dispatch('profile.unlock', { passphrase: PASSPHRASE });
    expect(status).toMatchObject({
      ok: true,
      value: { state: 'unlocked', problem: expect.stringMatching(/log file .* is gone/) },
    });

    // The same folder, locked and unlocked cleanly: no warning.
    await live.dispatch('profile.lock', {});
    expect(existsSync(join(dir, OPEN_MARKER_FILE))).toBe(false);
    const again = await live.dispatch('profile.unlock', { passphrase: PASSPHRASE });
    expect(again).toMatchObject({ ok: true, value: { state: 'unlocked' } });
    expect(JSON.stringify(again)).not.toContain('problem');
  });
});
