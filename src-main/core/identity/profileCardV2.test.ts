import { describe, expect, it } from 'vitest';
import { verifyDeviceList, type DeviceListState } from './deviceListVerify';
import {
  compareCards,
  decodeProfileCardV2,
  encodeProfileCardV2,
  MAX_PROFILE_CARD_V2_BYTES,
  type ProfileCardV2,
  profileCardV2SignatureValid,
  signProfileCardV2,
} from './profileCardV2';
import { judgeProfileCardV2 } from './profileCardV2Verify';
import { makeTestDevice, type TestDevice, TestDeviceList } from './testing/deviceListFixture';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

function stateOf(list: TestDeviceList): DeviceListState {
  const v = verifyDeviceList(list.bytes());
  if (!v.ok) throw new Error(v.reason);
  return v.state;
}

function card(list: TestDeviceList, signer: TestDevice, seq: number, over: Partial<ProfileCardV2> = {}) {
  return signProfileCardV2(signer.sign, {
    identityKey: list.identityKey,
    version: 3,
    issuedAt: 1_764_950_500_000,
    signerPeerId: signer.peerId,
    signerAddedSeq: seq,
    displayName: 'Ada Lovelace',
    statusText: 'In the garden 🌷',
    avatar: PNG,
    ...over,
  });
}

describe('profile card version 2: the codec (docs/protocol.md §13.6)', () => {
  it('round-trips with one encoding and verifies under the signer PeerId', () => {
    const list = new TestDeviceList();
    const c = card(list, list.first, 0);
    const bytes = encodeProfileCardV2(c);
    const back = decodeProfileCardV2(bytes);
    expect(back).toEqual({ ...c, signature: c.signature });
    expect(profileCardV2SignatureValid(back!)).toBe(true);
    expect(decodeProfileCardV2(encodeProfileCardV2({ ...c, avatar: null }))?.avatar).toBeNull();
  });

  it('refuses trailing bytes, a cut card, another format byte and non-UTF-8 text', () => {
    const list = new TestDeviceList();
    const bytes = encodeProfileCardV2(card(list, list.first, 0));
    expect(decodeProfileCardV2(new Uint8Array([...bytes, 0]))).toBeNull();
    expect(decodeProfileCardV2(bytes.subarray(0, bytes.length - 1))).toBeNull();
    expect(decodeProfileCardV2(new Uint8Array([1, ...bytes.subarray(1)]))).toBeNull();
    const broken = new Uint8Array(bytes);
    // The first byte of the display name (after format, key, two u64, signer, seq and its length).
    const nameAt = 1 + 32 + 16 + 2 + Buffer.byteLength(list.first.peerId) + 4 + 2;
    broken[nameAt] = 0xff;
    expect(decodeProfileCardV2(broken)).toBeNull();
  });

  it('refuses oversize fields both when signing and when decoding', () => {
    const list = new TestDeviceList();
    expect(() => card(list, list.first, 0, { displayName: 'x'.repeat(65) })).toThrow(RangeError);
    expect(() => card(list, list.first, 0, { displayName: '' })).toThrow(RangeError);
    expect(() => card(list, list.first, 0, { statusText: 's'.repeat(141) })).toThrow(RangeError);
    expect(() => card(list, list.first, 0, { avatar: new Uint8Array(64 * 1024 + 1).fill(0x89) })).toThrow(
      RangeError,
    );
    expect(() => card(list, list.first, 0, { avatar: new Uint8Array([60, 115, 118, 103]) })).toThrow(
      RangeError,
    );
    // A hand-made encoding with a 65-character name is refused by the decoder.
    const ok = encodeProfileCardV2(card(list, list.first, 0, { displayName: 'y'.repeat(64) }));
    const b = Buffer.from(ok);
    const nameLenAt = 1 + 32 + 16 + 2 + Buffer.byteLength(list.first.peerId) + 4;
    const long = Buffer.concat([
      b.subarray(0, nameLenAt),
      Buffer.from([0, 65]),
      Buffer.from('y'.repeat(65)),
      b.subarray(nameLenAt + 2 + 64),
    ]);
    expect(decodeProfileCardV2(long)).toBeNull();
    expect(decodeProfileCardV2(new Uint8Array(MAX_PROFILE_CARD_V2_BYTES + 1))).toBeNull();
  });

  it('orders cards by version, then issue time, then signer (concurrent edits converge)', () => {
    expect(compareCards({ version: 2, issuedAt: 1 }, { version: 1, issuedAt: 9 })).toBeGreaterThan(0);
    expect(compareCards({ version: 2, issuedAt: 5 }, { version: 2, issuedAt: 9 })).toBeLessThan(0);
    expect(
      compareCards(
        { version: 2, issuedAt: 5, signerPeerId: 'b' },
        { version: 2, issuedAt: 5, signerPeerId: 'a' },
      ),
    ).toBeGreaterThan(0);
  });
});

describe('profile card version 2: judged against the list the receiver holds', () => {
  it('accepts a card by a linked device at its seq, and one by device 0', () => {
    const list = new TestDeviceList();
    const laptop = list.add();
    expect(judgeProfileCardV2(card(list, laptop, 1), list.identityKey, stateOf(list))).toEqual({ ok: true });
    expect(judgeProfileCardV2(card(list, list.first, 0), list.identityKey, stateOf(list))).toEqual({
      ok: true,
    });
  });

  it('refuses a wrong signer seq (the entry there adds another device)', () => {
    const list = new TestDeviceList();
    const laptop = list.add();
    list.add();
    expect(judgeProfileCardV2(card(list, laptop, 2), list.identityKey, stateOf(list))).toEqual({
      ok: false,
      reason: 'unlisted',
    });
    expect(judgeProfileCardV2(card(list, laptop, 0), list.identityKey, stateOf(list))).toEqual({
      ok: false,
      reason: 'unlisted',
    });
  });

  it('refuses a signer that is removed when the card arrives', () => {
    const list = new TestDeviceList();
    const laptop = list.add();
    const c = card(list, laptop, 1);
    expect(judgeProfileCardV2(c, list.identityKey, stateOf(list))).toEqual({ ok: true });
    list.remove(list.first, laptop);
    expect(judgeProfileCardV2(c, list.identityKey, stateOf(list))).toEqual({ ok: false, reason: 'removed' });
  });

  it("refuses another person's device and another person's card", () => {
    const ann = new TestDeviceList();
    const bob = new TestDeviceList();
    const bobsLaptop = bob.add();
    // Bob's device signs a card naming Ann's identity and a seq of Ann's list.
    const forged = signProfileCardV2(bobsLaptop.sign, {
      ...card(ann, ann.first, 0),
      signerPeerId: bobsLaptop.peerId,
      signerAddedSeq: 0,
    });
    expect(judgeProfileCardV2(forged, ann.identityKey, stateOf(ann))).toEqual({
      ok: false,
      reason: 'unlisted',
    });
    // Ann's genuine card replayed by one of Bob's devices (MLS sender Bob).
    expect(judgeProfileCardV2(card(ann, ann.first, 0), bob.identityKey, stateOf(bob))).toEqual({
      ok: false,
      reason: 'identity',
    });
  });

  it('refuses a card whose signature is not the signer device key', () => {
    const list = new TestDeviceList();
    const laptop = list.add();
    const byOther = signProfileCardV2(makeTestDevice().sign, {
      ...card(list, laptop, 1),
    });
    expect(judgeProfileCardV2(byOther, list.identityKey, stateOf(list))).toEqual({
      ok: false,
      reason: 'signature',
    });
    const edited = { ...card(list, laptop, 1), displayName: 'Mallory' };
    expect(judgeProfileCardV2(edited, list.identityKey, stateOf(list))).toEqual({
      ok: false,
      reason: 'signature',
    });
  });

  it('answers missing when the receiver holds no list or a shorter one', () => {
    const list = new TestDeviceList();
    const before = stateOf(list);
    const laptop = list.add();
    expect(judgeProfileCardV2(card(list, laptop, 1), list.identityKey, before)).toEqual({
      ok: false,
      reason: 'missing',
    });
    expect(judgeProfileCardV2(card(list, laptop, 1), list.identityKey, null)).toEqual({
      ok: false,
      reason: 'missing',
    });
  });
});
