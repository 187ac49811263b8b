import type { ReadOnlyReason } from '../../../src-shared/contract';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestName, RequestParams, RequestResult } from '../../../src-shared/contract';
import { createCore, type Core } from '../core';
import { until } from '../runtime/testing/messagingPeer';

/**
 * Issue 13, finding 2: after restoring a backup into a new profile with Bob
 * and Carl online, the DM and the group kept saying "Waiting for a group
 * member to come online…" for more than 90 s. Three real cores, driven only
 * through the contract as the shells do, with the app's own group timings
 * (60 s acceptance window, 15 s resync interval). What the renderer shows is
 * what it read back after the last `conversations.changed`: that view must
 * become writable within seconds.
 */

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const PASSPHRASE = 'correct horse battery';
const PASSWORD = 'a separate backup password';
/** Well inside the 15 s resync interval and the 60 s window: only a prompt rejoin meets it. */
const WRITABLE_WITHIN_MS = 8_000;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface TestCore {
  core: Core;
  call<N extends RequestName>(name: N, params: RequestParams<N>): Promise<RequestResult<N>>;
}

function makeCore(root: string, name: string, port = 0): TestCore {
  const core = createCore({
    profileDir: join(root, name),
    shell: 'cli',
    version: 't',
    kdfCost: FAST_KDF,
    checkIntegrity: async () => ({ ok: true, problems: 0 }),
    network: {
      listen: [`/ip4/127.0.0.1/tcp/${port}`],
      mdns: false,
      // Fast dials and retries on loopback; the group timings stay the app's.
      tuning: {
        node: { dialTimeoutMs: 1_000, dialGraceMs: 100, reconnect: { baseMs: 100, maxMs: 500 } },
        delivery: { backoff: { baseMs: 100, maxMs: 1_000, factor: 2 }, sendTimeoutMs: 5_000 },
        keyPackagePoolSize: 3,
      },
    },
  });
  cleanup.push(() => core.close());
  const call = async <N extends RequestName>(n: N, params: RequestParams<N>): Promise<RequestResult<N>> => {
    const reply = await core.dispatch(n, params);
    if (!reply.ok) throw new Error(`${name} ${n}: ${reply.error.code} ${reply.error.message}`);
    return reply.value as RequestResult<N>;
  };
  return { core, call };
}

/** A loopback port free right now: a peer that restarts on it keeps the address its contacts know. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function befriend(inviter: TestCore, invitee: TestCore, name: string): Promise<number> {
  const invite = await inviter.call('contacts.createInvite', {});
  await invitee.call('contacts.acceptInvite', { invite: invite.link });
  let id = -1;
  await until(
    () => {
      void inviter
        .call('contacts.list', {})
        .then((list) => (id = list.find((c) => c.name === name)?.id ?? -1));
      return id !== -1;
    },
    20_000,
    `${name} is a contact`,
  );
  return id;
}

describe('restore with members online', () => {
  it('every conversation is writable again within seconds, and the shown list says so', async () => {
    const root = mkdtempSync(join(tmpdir(), 'parley-restore-rejoin-'));
    cleanup.push(() => rmSync(root, { recursive: true, force: true }));
    const [ann, bob, carl] = [makeCore(root, 'ann'), makeCore(root, 'bob'), makeCore(root, 'carl')];
    await ann.call('profile.create', { displayName: 'Ann', passphrase: PASSPHRASE });
    await bob.call('profile.create', { displayName: 'Bob', passphrase: PASSPHRASE });
    await carl.call('profile.create', { displayName: 'Carl', passphrase: PASSPHRASE });
    const bobId = await befriend(ann, bob, 'Bob');
    const carlId = await befriend(ann, carl, 'Carl');
    await ann.call('conversations.createGroup', { name: 'Crew', contactIds: [bobId, carlId] });
    for (const p of [bob, carl]) {
      await until(
        () =>
          p.core
            .store()
            .conversations.list({})
            .some((c) => c.title === 'Crew'),
        20_000,
        'the group reaches Bob and Carl',
      );
    }

    // Ann backs up and moves to a new machine: the old app is closed.
    const archive = join(root, 'ann.parley-backup');
    await ann.call('backup.create', { jobId: 'b', path: archive, password: PASSWORD });
    await ann.call('profile.lock', {});

    const restored = makeCore(root, 'ann-restored');
    const restore = await restored.call('backup.restore', { jobId: 'r', path: archive, password: PASSWORD });
    expect(restore.groupsToResync).toBe(3);
    // The renderer's view: the home list as read after each conversations.changed.
    let shown: { title: string; readOnly: ReadOnlyReason | null }[] = [];
    restored.core.onEvent((name) => {
      if (name !== 'conversations.changed') return;
      void restored.call('conversations.list', {}).then((list) => {
        shown = list.map((c) => ({ title: c.title, readOnly: c.readOnly }));
      });
    });
    const unlockedAt = Date.now();
    await restored.call('profile.unlock', { passphrase: PASSPHRASE });
    const first = await restored.call('conversations.list', {});
    shown = first.map((c) => ({ title: c.title, readOnly: c.readOnly }));
    // Until it is rejoined a conversation says what it waits for, by name.
    const crew = first.find((c) => c.title === 'Crew');
    if (crew?.readOnly?.kind === 'restoring') expect(crew.readOnly.waitingFor).toContain('Bob');

    await until(
      () => shown.length === 3 && shown.every((c) => c.readOnly === null),
      WRITABLE_WITHIN_MS,
      `the shown list writable (shown: ${JSON.stringify(shown)})`,
    );
    const writableAfterMs = Date.now() - unlockedAt;
    expect(writableAfterMs).toBeLessThan(WRITABLE_WITHIN_MS);

    // And writable for real: a message in the group reaches Bob and Carl.
    const group = (await restored.call('conversations.list', {})).find((c) => c.title === 'Crew');
    await restored.call('messages.send', { conversationId: group?.id ?? -1, text: 'back on a new laptop' });
    for (const p of [bob, carl]) {
      const id =
        p.core
          .store()
          .conversations.list({})
          .find((c) => c.title === 'Crew')?.id ?? -1;
      await until(
        () =>
          p.core
            .store()
            .messages.page(id, { latest: true }, 50)
            .messages.some((m) => m.body === 'back on a new laptop'),
        10_000,
        'the restored device writes to the group',
      );
    }
  }, 120_000);

  it('a conversation whose members were all offline is rejoined as soon as one connects', async () => {
    const root = mkdtempSync(join(tmpdir(), 'parley-restore-later-'));
    cleanup.push(() => rmSync(root, { recursive: true, force: true }));
    const ann = makeCore(root, 'ann');
    const bob = makeCore(root, 'bob', await freePort());
    const carl = makeCore(root, 'carl');
    await ann.call('profile.create', { displayName: 'Ann', passphrase: PASSPHRASE });
    await bob.call('profile.create', { displayName: 'Bob', passphrase: PASSPHRASE });
    await carl.call('profile.create', { displayName: 'Carl', passphrase: PASSPHRASE });
    await befriend(ann, bob, 'Bob');
    await befriend(ann, carl, 'Carl');
    const archive = join(root, 'ann.parley-backup');
    await ann.call('backup.create', { jobId: 'b', path: archive, password: PASSWORD });
    await ann.call('profile.lock', {});
    // Bob closes his app before Ann restores; Carl stays.
    await bob.call('profile.lock', {});

    const restored = makeCore(root, 'ann-restored');
    await restored.call('backup.restore', { jobId: 'r', path: archive, password: PASSWORD });
    let shown: { title: string; readOnly: ReadOnlyReason | null }[] = [];
    restored.core.onEvent((name) => {
      if (name !== 'conversations.changed') return;
      void restored.call('conversations.list', {}).then((list) => {
        shown = list.map((c) => ({ title: c.title, readOnly: c.readOnly }));
      });
    });
    await restored.call('profile.unlock', { passphrase: PASSPHRASE });
    const readOnly = (title: string) => shown.find((c) => c.title === title)?.readOnly;
    await until(() => readOnly('Carl') === null, WRITABLE_WITHIN_MS, 'the DM with Carl is writable');
    // Bob's DM says whom it waits for, and stays so while he is away (past the first attempts).
    await new Promise((r) => setTimeout(r, 2_000));
    expect(readOnly('Bob')).toEqual({ kind: 'restoring', waitingFor: ['Bob'], others: 0 });

    // Bob opens his app again (same port): the restored device connects to him and rejoins at
    // once, not at its next periodic attempt (every 15 s).
    await bob.call('profile.unlock', { passphrase: PASSPHRASE });
    const backAt = Date.now();
    await until(() => readOnly('Bob') === null, 5_000, 'the DM with Bob is writable once he is back');
    expect(Date.now() - backAt).toBeLessThan(5_000);
  }, 120_000);
});
