import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore } from './core';
import { isParleyError } from './errors';
import { LOCK_FILE } from './profile/profileLock';

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-core-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createCore', () => {
  it('runs the whole slice through dispatch: create, lock, unlock, wrong passphrase', async () => {
    const core = createCore({ profileDir: dir, shell: 'cli', version: 't', kdfCost: FAST_KDF });
    const events: unknown[] = [];
    core.onEvent((name, payload) => events.push([name, payload]));
    expect(await core.dispatch('profile.status', {})).toEqual({ ok: true, value: { state: 'none' } });
    expect(
      await core.dispatch('profile.create', { displayName: 'Ada', passphrase: 'correct horse battery' }),
    ).toEqual({
      ok: true,
      value: { state: 'unlocked', displayName: 'Ada', canRemember: false, remembered: false },
    });
    expect(await core.dispatch('profile.lock', {})).toEqual({
      ok: true,
      value: { state: 'locked', canRemember: false, remembered: false },
    });
    expect(await core.dispatch('profile.unlock', { passphrase: 'wrong one!' })).toMatchObject({
      ok: false,
      error: { code: 'WRONG_PASSPHRASE' },
    });
    expect(await core.dispatch('profile.unlock', { passphrase: 'correct horse battery' })).toMatchObject({
      ok: true,
      value: { state: 'unlocked' },
    });
    expect(events.map((e) => (e as [string, { state: string }])[1].state)).toEqual([
      'unlocked',
      'locked',
      'unlocked',
    ]);
    await core.close();
  });

  it('allows one process per profile: a second core is refused until the first closes', async () => {
    const first = createCore({ profileDir: dir, shell: 'cli', version: 't' });
    let code: string | undefined;
    try {
      createCore({ profileDir: dir, shell: 'cli', version: 't' });
    } catch (err) {
      code = isParleyError(err) ? err.code : String(err);
    }
    expect(code).toBe('PROFILE_IN_USE');
    await first.close();
    const second = createCore({ profileDir: dir, shell: 'cli', version: 't' });
    await second.close();
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    writeFileSync(join(dir, LOCK_FILE), '999999999');
    const core = createCore({ profileDir: dir, shell: 'cli', version: 't' });
    await core.close();
  });

  it('refuses a lock held by a live process', () => {
    // pid 1 is always alive.
    writeFileSync(join(dir, LOCK_FILE), '1');
    expect(() => createCore({ profileDir: dir, shell: 'cli', version: 't' })).toThrow(/already open/);
  });
});

describe('unlocked session', () => {
  it('opens the store on unlock, closes it on lock', async () => {
    const core = createCore({ profileDir: dir, shell: 'cli', version: 't', kdfCost: FAST_KDF });
    expect(() => core.store()).toThrow(/Unlock/);
    await core.dispatch('profile.create', { displayName: 'Ada', passphrase: 'correct horse battery' });
    const c = core.store().conversations.create({ kind: 'group', name: 'G', createdAt: 1 });
    expect(
      core
        .store()
        .conversations.list()
        .map((x) => x.id),
    ).toEqual([c]);
    await core.idle();
    expect(core.profile.status()).toEqual({
      state: 'unlocked',
      displayName: 'Ada',
      canRemember: false,
      remembered: false,
    });
    await core.dispatch('profile.lock', {});
    expect(() => core.store()).toThrow(/Unlock/);
    await core.close();
  });

  // Issue 17 item 17: nobody's name is broadcast on the LAN unless they said yes at onboarding.
  it('a new profile is not discoverable unless created with that choice, and keeps it across unlocks', async () => {
    const core = createCore({ profileDir: dir, shell: 'cli', version: 't', kdfCost: FAST_KDF });
    await core.dispatch('profile.create', { displayName: 'Ada', passphrase: 'correct horse battery' });
    expect(await core.dispatch('settings.get', {})).toMatchObject({
      ok: true,
      value: { privacy: { discoverable: false, invisible: false, relayForContacts: true } },
    });
    await core.close();

    const other = mkdtempSync(join(tmpdir(), 'parley-core-'));
    try {
      const yes = createCore({ profileDir: other, shell: 'cli', version: 't', kdfCost: FAST_KDF });
      await yes.dispatch('profile.create', {
        displayName: 'Bob',
        passphrase: 'correct horse battery',
        discoverable: true,
      });
      await yes.dispatch('profile.lock', {});
      await yes.dispatch('profile.unlock', { passphrase: 'correct horse battery' });
      expect(await yes.dispatch('settings.get', {})).toMatchObject({
        ok: true,
        value: { privacy: { discoverable: true, invisible: false, relayForContacts: true } },
      });
      await yes.close();
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('reports damage found by the background integrity check, pointing to a backup', async () => {
    const core = createCore({ profileDir: dir, shell: 'cli', version: 't', kdfCost: FAST_KDF });
    await core.dispatch('profile.create', { displayName: 'Ada', passphrase: 'correct horse battery' });
    const store = core.store();
    const c = store.conversations.create({ kind: 'group', name: 'G', createdAt: 1 });
    store.db.transaction(() => {
      for (let i = 0; i < 3000; i++) {
        store.messages.insert({
          conversationId: c,
          uid: `u${i}`,
          senderKey: Buffer.alloc(32, 2),
          outgoing: false,
          body: `filler text number ${i} `.repeat(4),
          sentAt: i,
          receivedAt: i,
          state: 'received',
        });
      }
    })();
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    await core.idle();
    await core.dispatch('profile.lock', {});
    // Damage a page in the middle: page 1 (and so unlocking) still works.
    const path = join(dir, 'parley.db');
    const bytes = readFileSync(path);
    const page = 4096;
    const middle = Math.floor(bytes.length / page / 2) * page;
    bytes.fill(0xa5, middle + 100, middle + 200);
    writeFileSync(path, bytes);
    const events: Array<{ problem?: string }> = [];
    core.onEvent((name, payload) => {
      if (name === 'profile.changed' && 'problem' in payload) events.push({ problem: payload.problem });
    });
    await core.dispatch('profile.unlock', { passphrase: 'correct horse battery' });
    await core.idle();
    expect(core.profile.status().problem).toMatch(/Restore from a backup/);
    expect(events.at(-1)?.problem).toMatch(/damage/);
    await core.close();
  });
});

describe('store requests over the contract', () => {
  it('lists conversations, pages messages with sender names, marks read; LOCKED while locked', async () => {
    const core = createCore({ profileDir: dir, shell: 'cli', version: 't', kdfCost: FAST_KDF });
    expect(await core.dispatch('conversations.list', {})).toMatchObject({
      ok: false,
      error: { code: 'LOCKED' },
    });
    await core.dispatch('profile.create', { displayName: 'Ada', passphrase: 'correct horse battery' });
    const s = core.store();
    const bob = Buffer.alloc(32, 7);
    const contact = s.contacts.upsert(bob, 'Bob', 1);
    const dm = s.conversations.create({ kind: 'dm', contactId: contact, createdAt: 1 });
    const self = (s.db.prepare('SELECT public_key FROM identity').get() as { public_key: Buffer }).public_key;
    for (let i = 0; i < 5; i++) {
      s.messages.insert({
        conversationId: dm,
        uid: `x${i}`,
        senderKey: i % 2 ? self : bob,
        outgoing: i % 2 === 1,
        body: `hello ${i}`,
        sentAt: 10 + i,
        receivedAt: 10 + i,
        state: i % 2 ? 'sent' : 'received',
      });
    }
    const list = await core.dispatch('conversations.list', { filter: 'bo' });
    expect(list).toMatchObject({
      ok: true,
      value: [{ title: 'Bob', unreadCount: 3, lastMessage: { preview: 'hello 4' } }],
    });
    const page = await core.dispatch('messages.page', { conversationId: dm, at: { latest: true }, limit: 2 });
    expect(page).toMatchObject({
      ok: true,
      value: {
        hasOlder: true,
        messages: [
          { body: 'hello 3', sender: { name: 'Ada', self: true } },
          { body: 'hello 4', sender: { name: 'Bob', self: false, key: bob.toString('hex') } },
        ],
      },
    });
    const found = await core.dispatch('search.query', { text: 'hello from:bob' });
    expect(found.ok && found.value).toMatchObject({
      hits: [
        { senderName: 'Bob', conversationName: 'Bob', snippet: 'hello 4', highlights: [[0, 5]] },
        { snippet: 'hello 2' },
        { snippet: 'hello 0' },
      ],
      problems: [],
    });
    expect(await core.dispatch('search.query', { text: '"((NEAR AND -' })).toMatchObject({ ok: true });
    expect(await core.dispatch('conversations.markRead', { conversationId: dm })).toEqual({
      ok: true,
      value: { unreadCount: 0 },
    });
    expect(await core.dispatch('messages.page', { conversationId: dm, at: { around: 'x' } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PARAMS' },
    });
    await core.dispatch('profile.lock', {});
    expect(await core.dispatch('conversations.list', {})).toMatchObject({
      ok: false,
      error: { code: 'LOCKED' },
    });
    await core.close();
  });
});

describe('close', () => {
  it('waits for the integrity checks of every unlock, not only the last one', async () => {
    // The first check is held open; the later ones finish at once. close() must still wait for
    // the first: its worker holds a connection to the database until it ends.
    let releaseFirst!: () => void;
    const first = new Promise<void>((resolve) => (releaseFirst = resolve));
    let calls = 0;
    const core = createCore({
      profileDir: dir,
      shell: 'cli',
      version: 't',
      kdfCost: FAST_KDF,
      checkIntegrity: async () => {
        calls++;
        if (calls === 1) await first;
        return { ok: true, problems: 0 };
      },
    });
    await core.dispatch('profile.create', { displayName: 'Ada', passphrase: 'correct horse battery' });
    await core.dispatch('profile.lock', {});
    await core.dispatch('profile.unlock', { passphrase: 'correct horse battery' });
    let closed = false;
    const closing = core.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(2);
    expect(closed).toBe(false);
    releaseFirst();
    await closing;
    expect(closed).toBe(true);
  });
});
