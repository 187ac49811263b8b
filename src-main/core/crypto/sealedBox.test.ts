import { randomBytes } from 'node:crypto';
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { describe, expect, it } from 'vitest';
import {
  generateSealKeyPair,
  open,
  seal,
  SealOpener,
  xwingEncapsulate,
  SEALED_BOX_OVERHEAD,
  SEAL_PUBLIC_KEY_BYTES,
  sealPublicKey,
} from './sealedBox';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('sealed box (X-Wing + XChaCha20-Poly1305)', () => {
  const alice = generateSealKeyPair();
  const mallory = generateSealKeyPair();
  const aad = text('envelope 0123456789abcdef → alice');
  const plaintext = randomBytes(1000);
  const sealed = seal(alice.publicKey, plaintext, aad);

  it('round-trips, with the documented overhead', () => {
    expect(alice.publicKey).toHaveLength(SEAL_PUBLIC_KEY_BYTES);
    expect(sealed).toHaveLength(plaintext.length + SEALED_BOX_OVERHEAD);
    expect(open(alice.secretKey, sealed, aad)).toEqual(new Uint8Array(plaintext));
    expect(open(alice.secretKey, seal(alice.publicKey, new Uint8Array(0)))).toEqual(new Uint8Array(0));
  });

  it('derives the public key from the secret key', () => {
    expect(sealPublicKey(alice.secretKey)).toEqual(alice.publicKey);
  });

  it('is randomised: sealing twice gives different boxes', () => {
    expect(seal(alice.publicKey, plaintext, aad)).not.toEqual(sealed);
  });

  it('does not open with the wrong key or the wrong aad', () => {
    expect(open(mallory.secretKey, sealed, aad)).toBeNull();
    expect(open(alice.secretKey, sealed, text('envelope for someone else'))).toBeNull();
    expect(open(alice.secretKey, sealed)).toBeNull();
    expect(open(new Uint8Array(31), sealed, aad)).toBeNull();
  });

  it('rejects a bit flip at every region and many offsets', () => {
    // Every byte of the version and the first and last stretches, then a stride
    // through the KEM ciphertext and the body: each region is authenticated.
    const offsets = new Set<number>();
    for (let i = 0; i < 64; i++) offsets.add(i);
    for (let i = sealed.length - 64; i < sealed.length; i++) offsets.add(i);
    for (let i = 0; i < sealed.length; i += 37) offsets.add(i);
    let checked = 0;
    for (const offset of offsets) {
      for (const bit of [0, 7]) {
        const tampered = Uint8Array.from(sealed);
        tampered[offset] = (tampered[offset] ?? 0) ^ (1 << bit);
        expect(open(alice.secretKey, tampered, aad), `offset ${offset} bit ${bit}`).toBeNull();
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(250);
  });

  it('rejects truncation and extension', () => {
    for (const length of [0, 1, 100, 1120, 1121, 1136, sealed.length - 16, sealed.length - 1]) {
      expect(open(alice.secretKey, sealed.subarray(0, length), aad), `length ${length}`).toBeNull();
    }
    const extended = new Uint8Array(sealed.length + 1);
    extended.set(sealed);
    expect(open(alice.secretKey, extended, aad)).toBeNull();
  });

  it('never throws on hostile bytes', () => {
    for (let i = 0; i < 50; i++) {
      const junk = randomBytes(Math.floor(Math.random() * 3000));
      if (junk.length > 0) junk[0] = 1;
      expect(open(alice.secretKey, junk, aad)).toBeNull();
    }
  });

  it('refuses a malformed public key with a RangeError', () => {
    expect(() => seal(new Uint8Array(32), plaintext)).toThrow(RangeError);
  });

  it('opens with a kept SealOpener exactly what the one-shot open opens (the X-Wing secret matches noble)', () => {
    // seal() encapsulates with @noble/post-quantum's X-Wing; SealOpener decapsulates
    // with its own expanded key and Node's X25519: any mismatch in the shared
    // secret would fail the AEAD, so round trips over many boxes prove them equal.
    const opener = new SealOpener(alice.secretKey);
    for (let i = 0; i < 20; i++) {
      const message = randomBytes(i * 13);
      const box = seal(alice.publicKey, message, aad);
      expect(opener.open(box, aad)).toEqual(new Uint8Array(message));
      expect(open(alice.secretKey, box, aad)).toEqual(new Uint8Array(message));
    }
    expect(new SealOpener(mallory.secretKey).open(sealed, aad)).toBeNull();
    expect(new SealOpener(new Uint8Array(31)).open(sealed, aad)).toBeNull();
  });

  it('returns null, never throws, for an X25519 half that is a low-order point', () => {
    const opener = new SealOpener(alice.secretKey);
    for (const point of [new Uint8Array(32), Uint8Array.from([1, ...new Uint8Array(31)])]) {
      const box = Uint8Array.from(sealed);
      box.set(point, 1 + 1088);
      expect(opener.open(box, aad)).toBeNull();
    }
  });

  it('encapsulates exactly as X-Wing: @noble decapsulates our ciphertexts, we open @noble-sealed secrets', () => {
    for (let i = 0; i < 10; i++) {
      const ours = xwingEncapsulate(alice.publicKey);
      expect(ours.cipherText).toHaveLength(1120);
      expect(ml_kem768_x25519.decapsulate(ours.cipherText, alice.secretKey)).toEqual(ours.sharedSecret);
    }
    // The other direction: a box whose KEM part @noble made, opened by SealOpener.
    const theirs = ml_kem768_x25519.encapsulate(alice.publicKey);
    expect(theirs.cipherText).toHaveLength(1120);
    const box = Uint8Array.from(sealed);
    box.set(theirs.cipherText, 1);
    // Different KEM secret than `sealed` was made with: the AEAD must fail, not the KEM throw.
    expect(new SealOpener(alice.secretKey).open(box, aad)).toBeNull();
  });

  it('refuses a public key whose X25519 half is a low-order point', () => {
    const bad = Uint8Array.from(alice.publicKey);
    bad.fill(0, 1184);
    expect(() => seal(bad, plaintext)).toThrow(RangeError);
  });
});
