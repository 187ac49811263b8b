import { describe, expect, it } from 'vitest';
import { generateSealKeyPair } from '../crypto/sealedBox';
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
});
