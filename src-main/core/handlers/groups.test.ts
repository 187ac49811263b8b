import { describe, expect, it } from 'vitest';
import { until } from '../runtime/testing/messagingPeer';
import { contractCores, type ContractCore } from '../runtime/testing/contractCore';

/**
 * The groups area through the contract (what the renderer calls), with two
 * real cores on 127.0.0.1: info, rename, roles, remove, leave, and the
 * errors a user sees (not allowed, bad params, offline).
 */

const make = contractCores('groups');
/** Group timings too: short accept windows and ticks. */
const makeCore = (name: string, network = true) =>
  make(name, { network, tuning: { groups: { acceptMs: 1_000, tickMs: 100 } } });
type TestCore = ContractCore;

const groupIds = (t: TestCore): number[] =>
  (
    t.core.store().db.prepare(`SELECT id FROM conversations WHERE kind = 'group' ORDER BY id`).all() as {
      id: number;
    }[]
  ).map((r) => r.id);

describe('groups area', () => {
  it('info, rename, roles, remove and leave, with the errors a user sees', async () => {
    const a = await makeCore('Ada');
    const b = await makeCore('Bob');
    const invite = await a.call('contacts.createInvite', {});
    const { conversationId: dmAtB } = await b.call('contacts.acceptInvite', { invite: invite.link });
    let bobAtA = -1;
    await until(
      () => {
        bobAtA = a.core.store().contacts.list()[0]?.id ?? -1;
        return bobAtA > 0;
      },
      10_000,
      'Bob becomes a contact of Ada',
    );
    const bobKey = b.core.store().db.prepare('SELECT public_key FROM identity').get() as {
      public_key: Buffer;
    };
    const bobHex = bobKey.public_key.toString('hex');

    const { conversationId: g } = await a.call('conversations.createGroup', {
      name: 'book club',
      contactIds: [bobAtA],
    });
    await until(() => groupIds(b).length === 1, 20_000, 'Bob joins');
    const gb = groupIds(b)[0] ?? -1;

    // The info panel: members with roles, suite, epoch.
    const info = await a.call('conversations.info', { conversationId: g });
    expect(info).toMatchObject({
      kind: 'group',
      title: 'book club',
      name: 'book club',
      myRole: 'owner',
      leftAt: null,
    });
    expect(info.members.map((m) => [m.name, m.role, m.self])).toEqual([
      ['Ada', 'owner', true],
      ['Bob', 'member', false],
    ]);
    expect(info.members[1]).toMatchObject({ identityKey: bobHex, contactId: bobAtA, verified: false });
    expect(info.ciphersuite.id).toBeGreaterThan(0);
    expect(info.epoch).toBeGreaterThan(0);
    const bobInfo = await b.call('conversations.info', { conversationId: gb });
    expect(bobInfo.myRole).toBe('member');
    expect((await b.call('conversations.info', { conversationId: dmAtB })).kind).toBe('dm');

    // A member may not rename, change roles or remove: FORBIDDEN with a sentence.
    const renameRefused = await b.fail('conversations.rename', { conversationId: gb, name: 'mine' });
    expect(renameRefused).toEqual({
      code: 'FORBIDDEN',
      message: "Only the group's owner and admins can rename it.",
    });
    expect(
      (await b.fail('conversations.setRole', { conversationId: gb, identityKey: bobHex, role: 'admin' }))
        .code,
    ).toBe('FORBIDDEN');
    const adaHex = info.members[0]?.identityKey ?? '';
    expect(
      (await b.fail('conversations.removeMember', { conversationId: gb, identityKey: adaHex })).code,
    ).toBe('FORBIDDEN');

    // Bad params are refused by the contract or the core, nothing changes.
    expect((await a.fail('conversations.rename', { conversationId: g, name: '   ' })).code).toBe(
      'INVALID_PARAMS',
    );
    expect((await a.fail('conversations.removeMember', { conversationId: g, identityKey: 'zz' })).code).toBe(
      'INVALID_PARAMS',
    );
    expect(
      (await a.fail('conversations.removeMember', { conversationId: g, identityKey: '00'.repeat(32) }))
        .message,
    ).toBe('That person is not in this group.');
    expect(
      (await a.fail('conversations.addMembers', { conversationId: g, contactIds: [9999] })).message,
    ).toBe('No such contact.');
    expect((await a.fail('conversations.info', { conversationId: 9999 })).message).toBe(
      'No such conversation.',
    );
    expect((await b.fail('conversations.leave', { conversationId: dmAtB })).code).toBe('INVALID_PARAMS');
    expect(
      (await a.fail('conversations.addMembers', { conversationId: g, contactIds: [bobAtA] })).message,
    ).toMatch(/already in the group/);

    // The owner renames and makes Bob an admin; Bob sees both.
    expect(await a.call('conversations.rename', { conversationId: g, name: 'readers' })).toEqual({
      committed: true,
    });
    await until(
      () =>
        b.core
          .store()
          .conversations.list({})
          .some((c) => c.title === 'readers'),
      20_000,
      'rename reaches Bob',
    );
    // The next change waits for the rename to be accepted (then it is committed by the timer).
    await a.call('conversations.setRole', { conversationId: g, identityKey: bobHex, role: 'admin' });
    let bobView = bobInfo;
    await until(
      () => {
        void b.call('conversations.info', { conversationId: gb }).then((v) => (bobView = v));
        return bobView.myRole === 'admin';
      },
      20_000,
      'Bob is an admin',
    );

    // Bob leaves: read-only for him at once; Ada's device commits his leave.
    expect(await b.call('conversations.leave', { conversationId: gb })).toEqual({});
    const left = await b.call('conversations.info', { conversationId: gb });
    expect(left.leftAt).not.toBeNull();
    expect(left.myRole).toBeNull();
    expect((await b.fail('messages.send', { conversationId: gb, text: 'hello?' })).code).toBe(
      'INVALID_STATE',
    );
    expect((await b.fail('conversations.rename', { conversationId: gb, name: 'x' })).code).toBe(
      'INVALID_STATE',
    );
    let adaView = info;
    await until(
      () => {
        void a.call('conversations.info', { conversationId: g }).then((v) => (adaView = v));
        return adaView.members.length === 1;
      },
      20_000,
      "Bob's leave committed",
    );
  }, 90_000);

  it('group changes need networking; info works without it', async () => {
    const c = await makeCore('Cy', false);
    expect((await c.fail('conversations.info', { conversationId: 1 })).message).toBe('No such conversation.');
    const db = c.core.store().db;
    db.prepare(
      `INSERT INTO conversations (id, kind, name, created_at, last_activity_at) VALUES (7, 'group', 'g', 0, 0)`,
    ).run();
    expect((await c.call('conversations.info', { conversationId: 7 })).members).toEqual([]);
    expect((await c.fail('conversations.rename', { conversationId: 7, name: 'x' })).code).toBe('OFFLINE');
  });
});
