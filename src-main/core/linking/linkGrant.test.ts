import { describe, expect, it } from 'vitest';
import { signPossession } from '../identity/deviceListBuild';
import { makeTestDevice, TestDeviceList, type TestDevice } from '../identity/testing/deviceListFixture';
import {
  decodeGrantBody,
  decodeJoinBody,
  encodeGrantBody,
  encodeJoinBody,
  LinkBodyError,
  type GrantBody,
  type JoinBody,
} from './linkBodies';
import { LinkError } from './linkFailure';
import { allowlistedSettings, assembleGrant, checkGrant, openJoin, type GrantContent } from './linkGrant';

/**
 * The grant of docs/protocol.md §13.5: E signs add(N) only on the head it
 * announced and with N's consent; N accepts only a list that verifies from
 * entry 0 under the code's identity key and ends with its own add. One
 * violating vector per rule, and the bodies refuse hostile input whole.
 */
const transferId = new Uint8Array(16).fill(4);

function joinFor(list: TestDeviceList, n: TestDevice, overrides: Partial<JoinBody> = {}): Uint8Array {
  const head = list.head;
  const possession = signPossession({
    identityKey: list.identityKey,
    seq: head.seq + 1,
    prev: head.hash,
    subjectPeerId: n.peerId,
    mlsSignatureKey: n.mlsSignatureKey,
    deviceSign: n.sign,
    mlsSign: n.mlsSign,
  });
  return encodeJoinBody({
    mlsSignatureKey: n.mlsSignatureKey,
    ...possession,
    sealPublicKey: new Uint8Array(1216).fill(2),
    platform: 'linux',
    name: 'Laptop',
    wantFiles: true,
    keyPackages: [],
    ...overrides,
  });
}

const content: GrantContent = {
  profile: { displayName: 'Ann', statusText: 'here' },
  contacts: [
    {
      identityKey: new Uint8Array(32).fill(8),
      displayName: 'Bob',
      localName: 'Bobby',
      verifiedAt: 5,
      blocked: false,
      relayFor: true,
      devices: [{ peerId: '12D3KooWGzh4Vq3F3bmrqPZzvWR6GXxW7LcGZRRsdUqXJmYo4rwL', addresses: [] }],
    },
  ],
  settings: [
    ['chat.readReceipts', 'false'],
    ['net.listenPort', '4001'],
    ['net.beaconKey', 'secret'],
    ['privacy', JSON.stringify({ discoverable: false, invisible: true, relayForContacts: false })],
  ],
  conversations: [
    { groupId: new Uint8Array(16).fill(1), kind: 'group', name: 'Team', notify: 'muted', archived: false },
  ],
};

/** E's side with the fixture: add(N) signed on the current head with N's consent, then the grant. */
function prepare(list: TestDeviceList, n: TestDevice) {
  const announced = list.head;
  const join = openJoin(joinFor(list, n));
  const entry = list.makeAdd(list.first, n, { platform: join.platform });
  list.entries.push(entry);
  return { announced, body: assembleGrant(list.bytes(), content, { transferId, bytes: 10, messages: 2 }) };
}

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    if (err instanceof LinkError) return err.reason;
    throw err;
  }
  return undefined;
}

describe('the grant', () => {
  it('N accepts the grant E assembles: list, profile, contacts, allowlisted settings, conversations', () => {
    const list = new TestDeviceList();
    const n = makeTestDevice();
    const { announced, body } = prepare(list, n);
    const { grant, state } = checkGrant(body, {
      identityKey: list.identityKey,
      peerIdN: n.peerId,
      mlsSignatureKey: n.mlsSignatureKey,
      announced,
      transferId,
    });
    expect(state.devices.map((d) => d.peerId)).toEqual([list.first.peerId, n.peerId]);
    expect(grant.profile.displayName).toBe('Ann');
    expect(grant.contacts[0]?.localName).toBe('Bobby');
    expect(grant.conversations[0]?.notify).toBe('muted');
    // Device-local settings never travel; privacy keeps only its shared half.
    expect(grant.settings).toEqual([
      ['chat.readReceipts', 'false'],
      ['privacy', JSON.stringify({ invisible: true, relayForContacts: false })],
    ]);
  });

  it('E refuses a JoinBody that does not decode', () => {
    expect(reasonOf(() => openJoin(new Uint8Array(Buffer.from('{"v":1}'))))).toBe('failed');
  });

  it('N refuses a grant that breaks any rule: one vector each', () => {
    const list = new TestDeviceList();
    const n = makeTestDevice();
    const { announced, body } = prepare(list, n);
    const expected = {
      identityKey: list.identityKey,
      peerIdN: n.peerId,
      mlsSignatureKey: n.mlsSignatureKey,
      announced,
      transferId,
    };
    const grant = decodeGrantBody(body);
    const reencode = (edit: (g: GrantBody) => Omit<GrantBody, 'v'>) => encodeGrantBody(edit(grant));
    const vectors: [string, Uint8Array, typeof expected][] = [
      [
        'another identity key than the code’s',
        body,
        { ...expected, identityKey: new Uint8Array(32).fill(1) },
      ],
      ['not this device', body, { ...expected, peerIdN: makeTestDevice().peerId }],
      ['another MLS key', body, { ...expected, mlsSignatureKey: new Uint8Array(32).fill(3) }],
      ['another announced head', body, { ...expected, announced: { seq: 0, hash: new Uint8Array(32) } }],
      ['another transfer', body, { ...expected, transferId: new Uint8Array(16) }],
      ['entry 0 dropped', reencode((g) => ({ ...g, entries: g.entries.slice(1) })), expected],
      [
        'a flipped bit in entry 0',
        reencode((g) => {
          const e0 = g.entries[0]!.slice();
          e0[e0.length - 1]! ^= 1;
          return { ...g, entries: [e0, ...g.entries.slice(1)] };
        }),
        expected,
      ],
      [
        'N is not the last entry',
        reencode((g) => ({ ...g, entries: [g.entries[0]!, g.entries[0]!] })),
        expected,
      ],
      ['not JSON', new Uint8Array([0xff, 0xfe]), expected],
      ['a newer version', new Uint8Array(Buffer.from(JSON.stringify({ v: 2 }))), expected],
    ];
    for (const [what, bytes, exp] of vectors)
      expect(
        reasonOf(() => checkGrant(bytes, exp)),
        what,
      ).toBe('failed');
  });
});

describe('link bodies', () => {
  const n = makeTestDevice();
  const list = new TestDeviceList();

  it('round-trip', () => {
    const join = decodeJoinBody(joinFor(list, n));
    expect(join.mlsSignatureKey).toEqual(n.mlsSignatureKey);
    expect(join.name).toBe('Laptop');
  });

  it('refuse hostile input whole, with a reason', () => {
    const good = JSON.parse(Buffer.from(joinFor(list, n)).toString()) as Record<string, unknown>;
    const bad = (edit: Record<string, unknown>) =>
      new Uint8Array(Buffer.from(JSON.stringify({ ...good, ...edit })));
    const vectors: [string, Uint8Array][] = [
      ['unknown field', bad({ extra: 1 })],
      ['short MLS key', bad({ mlsSignatureKey: Buffer.alloc(31).toString('base64url') })],
      ['non-canonical base64', bad({ mlsSignatureKey: `${Buffer.alloc(32).toString('base64url')}A` })],
      ['standard base64 alphabet', bad({ possession: Buffer.alloc(64, 0xff).toString('base64') })],
      ['unknown platform', bad({ platform: 'beos' })],
      ['name over 64 bytes', bad({ name: 'é'.repeat(33) })],
      ['too many KeyPackages', bad({ keyPackages: Array.from({ length: 1101 }, () => 'AA') })],
      ['wrong type', bad({ wantFiles: 'yes' })],
      ['oversized', new Uint8Array(2 * 1024 * 1024)],
    ];
    for (const [what, bytes] of vectors) expect(() => decodeJoinBody(bytes), what).toThrow(LinkBodyError);

    const grant = decodeGrantBody(prepare(new TestDeviceList(), makeTestDevice()).body);
    const twice = { ...grant, settings: [grant.settings[0]!, grant.settings[0]!] };
    expect(() => decodeGrantBody(encodeGrantBody(twice))).toThrow(/twice/);
    const sneaky = JSON.parse(Buffer.from(encodeGrantBody(grant)).toString()) as { settings: unknown[] };
    sneaky.settings = [['net.beaconKey', 'x']];
    expect(() => decodeGrantBody(new Uint8Array(Buffer.from(JSON.stringify(sneaky))))).toThrow(LinkBodyError);
    expect(() =>
      decodeGrantBody(encodeGrantBody({ ...grant, contacts: [grant.contacts[0]!, grant.contacts[0]!] })),
    ).toThrow(/twice/);
  });

  it('keep only the shared settings', () => {
    expect(
      allowlistedSettings([
        ['privacy', 'not json'],
        ['backup.schedule', '{}'],
      ]),
    ).toEqual([]);
  });
});
