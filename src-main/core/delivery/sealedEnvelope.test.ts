import { describe, expect, it } from 'vitest';
import { BoxSealer, generateSealKeyPair, SealOpener } from '../crypto/sealedBox';
import { openEnvelope, sealEnvelope } from './sealedEnvelope';

describe('sealed envelopes', () => {
  const keys = generateSealKeyPair();
  const id = new Uint8Array(16).fill(1);
  const payload = new Uint8Array([1, 2, 3]);
  const sealed = sealEnvelope(keys.publicKey, 'recipient', id, 'sender', payload);

  it('open for the recipient under the same id', () => {
    expect(openEnvelope(keys.secretKey, 'recipient', id, sealed)).toEqual({ sender: 'sender', payload });
  });

  it('do not open under another id, for another device, with another key, or when damaged', () => {
    expect(openEnvelope(keys.secretKey, 'recipient', new Uint8Array(16), sealed)).toBeNull();
    expect(openEnvelope(keys.secretKey, 'someone', id, sealed)).toBeNull();
    expect(openEnvelope(generateSealKeyPair().secretKey, 'recipient', id, sealed)).toBeNull();
    const flipped = sealed.slice();
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
    expect(openEnvelope(keys.secretKey, 'recipient', id, flipped)).toBeNull();
  });

  it('refuse an over-long sender or a malformed seal key with a RangeError', () => {
    expect(() => sealEnvelope(keys.publicKey, 'recipient', id, 'x'.repeat(256), payload)).toThrow(RangeError);
    expect(() =>
      sealEnvelope(new Uint8Array(32), 'recipient', id, 'sender', payload, new BoxSealer()),
    ).toThrow(RangeError);
  });
});

describe('sealed envelopes through a BoxSealer (a catch-up)', () => {
  const keys = generateSealKeyPair();
  const envelopeId = (i: number): Uint8Array => {
    const out = new Uint8Array(16);
    new DataView(out.buffer).setUint32(12, i);
    return out;
  };

  it('a catch-up of many envelopes from two senders opens each, with one decapsulation per sender', () => {
    const alice = new BoxSealer();
    const bob = new BoxSealer();
    const held = Array.from({ length: 200 }, (_, i) => {
      const sender = i % 2 === 0 ? 'alice-device' : 'bob-device';
      const payload = new TextEncoder().encode(`message ${i}`);
      const box = sealEnvelope(
        keys.publicKey,
        'recipient',
        envelopeId(i),
        sender,
        payload,
        i % 2 === 0 ? alice : bob,
      );
      return { id: envelopeId(i), sender, payload, box };
    });
    const opener = new SealOpener(keys.secretKey);
    for (const item of held) {
      expect(openEnvelope(opener, 'recipient', item.id, item.box)).toEqual({
        sender: item.sender,
        payload: item.payload,
      });
    }
    expect(opener.stats().decapsulations).toBe(2);
  });

  it('binds each envelope to its own id and recipient, even within one session', () => {
    const sealer = new BoxSealer();
    const first = sealEnvelope(
      keys.publicKey,
      'recipient',
      envelopeId(1),
      'sender',
      new Uint8Array([1]),
      sealer,
    );
    const second = sealEnvelope(
      keys.publicKey,
      'recipient',
      envelopeId(2),
      'sender',
      new Uint8Array([2]),
      sealer,
    );
    const opener = new SealOpener(keys.secretKey);
    expect(openEnvelope(opener, 'recipient', envelopeId(1), first)).not.toBeNull();
    // A holder replaying a box of the session under the other id or for another device fails.
    expect(openEnvelope(opener, 'recipient', envelopeId(1), second)).toBeNull();
    expect(openEnvelope(opener, 'recipient', envelopeId(2), first)).toBeNull();
    expect(openEnvelope(opener, 'someone', envelopeId(2), second)).toBeNull();
    // Those failures left the session's key cached: the real box opens without decapsulating.
    expect(openEnvelope(opener, 'recipient', envelopeId(2), second)).toEqual({
      sender: 'sender',
      payload: new Uint8Array([2]),
    });
    expect(opener.stats().decapsulations).toBe(1);
    // The raw-key path (a fresh opener) opens session boxes too.
    expect(openEnvelope(keys.secretKey, 'recipient', envelopeId(1), first)?.payload).toEqual(
      new Uint8Array([1]),
    );
  });
});
