import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isParleyError } from '../errors';
import type { Logger } from '../util/logger';
import { CONTENT_VERSION, decodeContent, type TimerContent } from './content';
import { until, type MessagingPeer, peerPool } from '../runtime/testing/messagingPeer';
import { describeTimer } from '../../../src-shared/contract/areas/conversations';
import { systemLine } from '../../../src-renderer/src/features/chat/systemLine';
import { isNewerChange, receiveTimer, setTimer, wakeSweeper } from './timers';
import { systemText } from '../store/testing/systemText';

/**
 * Disappearing messages between real peers over 127.0.0.1 (issue #6 item 3):
 * the timer reaches every member, is announced in the chat, and new messages
 * disappear on every device, index included; in a group only owners and
 * admins may change it.
 */

const peer = peerPool();

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  const invite = inviter.running().service.createInvite();
  await invitee.running().service.acceptInvite(invite);
  await until(() => inviter.dmWith(invitee) !== null, 20_000, `${inviter.name} joins the DM`);
}

const systemLines = (p: MessagingPeer, conversationId: number): string[] =>
  p
    .messages(conversationId)
    // The timer's notices (a group also logs its creation and members).
    .filter((m) => m.kind === 'system' && m.event?.kind === 'timerChanged')
    .map((m) => systemText(m, p.identity.publicKey));

const bodies = (p: MessagingPeer, conversationId: number): string[] =>
  p
    .messages(conversationId)
    .filter((m) => m.kind !== 'system')
    .map((m) => m.body ?? '');

/** Rows of the full-text index that still hold a word. */
const indexed = (p: MessagingPeer, word: string): number =>
  (
    p.t.db.prepare('SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?').get(`"${word}"`) as {
      n: number;
    }
  ).n;

describe('timer texts', () => {
  it('names the usual choices the way people say them', () => {
    expect([300_000, 3_600_000, 86_400_000, 604_800_000, 2_000].map(describeTimer)).toEqual([
      '5 minutes',
      '1 hour',
      '1 day',
      '1 week',
      '2 seconds',
    ]);
    // The notice is an event the renderer words (features/chat/systemLine.ts).
    const actor = (name: string) => ({ key: '00', name, self: false });
    expect(systemLine({ kind: 'timerChanged', actor: actor('Ada'), ms: 86_400_000 })).toBe(
      'Ada set disappearing messages to 1 day',
    );
    expect(systemLine({ kind: 'timerChanged', actor: actor('Bob'), ms: null })).toBe(
      'Bob turned off disappearing messages',
    );
  });
});

describe('timer content on the wire', () => {
  const enc = (o: object) => new Uint8Array(Buffer.from(JSON.stringify(o)));
  const base = { v: 1, type: 'timer', uid: 'a'.repeat(32), sentAt: 5 };
  it('decodes a change and an off, and refuses out-of-range or malformed ones', () => {
    expect(decodeContent(enc({ ...base, ms: 86_400_000 }))).toEqual({ ...base, ms: 86_400_000 });
    expect(decodeContent(enc({ ...base, ms: null }))).toEqual({ ...base, ms: null });
    for (const ms of [0, -5, 999, 1.5, 367 * 86_400_000, '60000', undefined]) {
      expect(decodeContent(enc({ ...base, ms }))).toBeNull();
    }
    expect(decodeContent(enc({ ...base, ms: 60_000, uid: 'nope' }))).toBeNull();
  });
});

describe('isNewerChange', () => {
  const low = new Uint8Array(32).fill(1);
  const high = new Uint8Array(32).fill(2);
  const on = (by: Uint8Array, at: number, peer = 'P') => ({ at, by, peer });
  it('orders by stamp, then by sender key, so every device picks the same change', () => {
    expect(isNewerChange(on(low, 5), on(high, 4))).toBe(true);
    expect(isNewerChange(on(high, 4), on(low, 5))).toBe(false);
    expect(isNewerChange(on(high, 5), on(low, 5))).toBe(true);
    expect(isNewerChange(on(low, 5), on(high, 5))).toBe(false);
    expect(isNewerChange(on(low, 5), on(low, 5))).toBe(false);
    expect(isNewerChange(on(low, 0), { at: 0, by: null, peer: null })).toBe(true);
  });

  it('two devices of one person at one stamp: the greater PeerId wins, on whichever side it is compared (§13.6)', () => {
    const laptop = '12D3KooWLaptop';
    const phone = '12D3KooWPhone';
    expect(isNewerChange(on(low, 5, phone), on(low, 5, laptop))).toBe(true);
    expect(isNewerChange(on(low, 5, laptop), on(low, 5, phone))).toBe(false);
    // The stamp and the key still come first.
    expect(isNewerChange(on(low, 5, phone), on(high, 5, laptop))).toBe(false);
    expect(isNewerChange(on(low, 4, phone), on(low, 5, laptop))).toBe(false);
    // A change applied before migration 0021 names no device: any device's change at its stamp wins.
    expect(isNewerChange(on(low, 5, laptop), { at: 5, by: low, peer: null })).toBe(true);
  });
});

describe('disappearing messages over 127.0.0.1', () => {
  it('a DM: set by either side, announced on both, messages vanish on both devices and from the index', async () => {
    const a = peer('Ada');
    const b = peer('Bob');
    await Promise.all([a.online(), b.online()]);
    await befriend(a, b);
    const ab = a.dmWith(b) ?? -1;
    const ba = b.dmWith(a) ?? -1;
    await a.running().service.sendText(ab, 'before the timer kumquat');
    await until(() => bodies(b, ba).includes('before the timer kumquat'), 20_000, 'first text');

    // Two seconds is not a UI choice; the core accepts it so the test need not wait five minutes.
    await setTimer(a.running().service, a.store, ab, 2_000, {
      selfKey: a.identity.publicKey,
      selfPeerId: a.running().node.peerId,
    });
    expect(a.store.conversations.disappearAfter(ab)).toBe(2_000);
    expect(systemLines(a, ab)).toEqual(['You set disappearing messages to 2 seconds']);
    await until(() => b.store.conversations.disappearAfter(ba) === 2_000, 20_000, 'timer reaches Bob');
    expect(systemLines(b, ba)).toEqual(['Ada set disappearing messages to 2 seconds']);

    a.store.sweeper.start();
    b.store.sweeper.start();
    await a.running().service.sendText(ab, 'secret rutabaga');
    await b.running().service.sendText(ba, 'reply rutabaga');
    await until(
      () => bodies(b, ba).includes('secret rutabaga') && bodies(a, ab).includes('reply rutabaga'),
      20_000,
      'texts under the timer',
    );
    for (const [p, id] of [
      [a, ab],
      [b, ba],
    ] as const) {
      const timed = p.messages(id).filter((m) => m.body?.includes('rutabaga'));
      // Each device counts from when the message reached it (its own receivedAt).
      expect(timed.map((m) => m.expiresAt)).toEqual(timed.map((m) => m.receivedAt + 2_000));
      expect(indexed(p, 'rutabaga')).toBe(2);
      wakeSweeper(p.store);
    }
    await until(
      () =>
        [a, b].every((p) => indexed(p, 'rutabaga') === 0) &&
        !bodies(a, ab).some((x) => x.includes('rutabaga')) &&
        !bodies(b, ba).some((x) => x.includes('rutabaga')),
      15_000,
      'expired on both devices',
    );
    // Older messages keep no timer; the notices stay so readers know why messages went.
    expect(bodies(a, ab)).toContain('before the timer kumquat');
    expect(bodies(b, ba)).toContain('before the timer kumquat');
    expect(systemLines(b, ba)).toEqual(['Ada set disappearing messages to 2 seconds']);

    // Bob turns it off; Ada sees who did.
    await setTimer(b.running().service, b.store, ba, null, {
      selfKey: b.identity.publicKey,
      selfPeerId: b.running().node.peerId,
    });
    await until(() => a.store.conversations.disappearAfter(ab) === null, 20_000, 'timer off at Ada');
    expect(systemLines(a, ab)).toEqual([
      'You set disappearing messages to 2 seconds',
      'Bob turned off disappearing messages',
    ]);
    const after = await a.running().service.sendText(ab, 'stays');
    expect(after.expiresAt).toBeNull();
  }, 60_000);

  it('a group: an owner sets it for all; a member cannot, and a forged change from a member is ignored', async () => {
    const a = peer('Ada');
    const b = peer('Bob');
    const c = peer('Cy');
    await Promise.all([a.online(), b.online(), c.online()]);
    await befriend(a, b);
    await befriend(a, c);
    // Bob and Cy reach each other directly only as contacts (else through holders).
    await befriend(b, c);
    const group = await a.running().service.createGroup('trio', [a.contactId(b) ?? -1, a.contactId(c) ?? -1]);
    await until(() => b.groups().length === 1 && c.groups().length === 1, 20_000, 'group joins');
    const gb = b.groups()[0] ?? -1;
    const gc = c.groups()[0] ?? -1;

    // Bob is a plain member: his own device refuses with a clear error.
    const refused = await setTimer(b.running().service, b.store, gb, 3_600_000, {
      selfKey: b.identity.publicKey,
      selfPeerId: b.running().node.peerId,
    }).catch((e: unknown) => e);
    expect(isParleyError(refused, 'INVALID_STATE')).toBe(true);
    expect((refused as Error).message).toMatch(/owners and admins/);
    expect(b.store.conversations.disappearAfter(gb)).toBeNull();

    // A modified client sends the change anyway: Ada and Cy ignore it.
    const forged: TimerContent = {
      v: CONTENT_VERSION,
      type: 'timer',
      uid: randomBytes(16).toString('hex'),
      sentAt: Date.now(),
      ms: 5_000,
    };
    await b.running().service.sendContent(gb, forged);
    // Bob's next text is queued behind the forged change, so once it arrived the change was processed.
    await b.running().service.sendText(gb, 'after the forged timer');
    await until(
      () =>
        bodies(a, group).includes('after the forged timer') &&
        bodies(c, gc).includes('after the forged timer'),
      20_000,
      'text after the forged timer',
    );
    expect(a.store.conversations.disappearAfter(group)).toBeNull();
    expect(c.store.conversations.disappearAfter(gc)).toBeNull();
    expect(systemLines(a, group)).toEqual([]);
    expect(systemLines(c, gc)).toEqual([]);

    // The owner sets it: everyone applies it and sees the notice.
    await setTimer(a.running().service, a.store, group, 3_600_000, {
      selfKey: a.identity.publicKey,
      selfPeerId: a.running().node.peerId,
    });
    await until(
      () =>
        b.store.conversations.disappearAfter(gb) === 3_600_000 &&
        c.store.conversations.disappearAfter(gc) === 3_600_000,
      20_000,
      'timer reaches the members',
    );
    expect(systemLines(b, gb)).toEqual(['Ada set disappearing messages to 1 hour']);
    expect(systemLines(c, gc)).toEqual(['Ada set disappearing messages to 1 hour']);
    await b.running().service.sendText(gb, 'timed');
    await until(() => bodies(c, gc).includes('timed'), 20_000, 'timed text');
    const atC = c.messages(gc).find((m) => m.body === 'timed');
    expect(atC?.expiresAt).toBe((atC?.receivedAt ?? 0) + 3_600_000);

    // Applying a member's change directly: refused with a log line, nothing changed.
    const lines: string[] = [];
    const logger: Logger = { log: (level, event) => lines.push(`${level} ${event}`) };
    c.t.db.transaction(() =>
      receiveTimer(
        c.store,
        logger,
        gc,
        { identityKey: b.identity.publicKey, peerId: b.running().node.peerId },
        { ...forged, ms: null },
        Date.now(),
      ),
    )();
    expect(lines).toEqual(['warn messaging.timer_refused']);
    expect(c.store.conversations.disappearAfter(gc)).toBe(3_600_000);

    // The owner's older change arriving late (from a mailbox) does not undo the newer one.
    const late = { ...forged, uid: randomBytes(16).toString('hex'), sentAt: 1, ms: null };
    c.t.db.transaction(() =>
      receiveTimer(
        c.store,
        logger,
        gc,
        { identityKey: a.identity.publicKey, peerId: a.running().node.peerId },
        late,
        Date.now(),
      ),
    )();
    expect(lines.at(-1)).toBe('info messaging.timer_stale');
    expect(c.store.conversations.disappearAfter(gc)).toBe(3_600_000);
    expect(systemLines(c, gc)).toEqual(['Ada set disappearing messages to 1 hour']);
  }, 60_000);
});
