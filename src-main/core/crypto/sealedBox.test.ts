import { randomBytes } from 'node:crypto';
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { describe, expect, it } from 'vitest';
import {
  BoxSealer,
  generateSealKeyPair,
  open,
  seal,
  SealOpener,
  xwingEncapsulate,
  SEALED_BOX_OVERHEAD,
  SEALED_BOX_SESSION_OVERHEAD,
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

/** Offsets of the version 2 layout: version | KEM ciphertext | nonce | body. */
const KEM_AT = 1;
const NONCE_AT = 1 + 1120;
const BODY_AT = NONCE_AT + 24;
const EMPTY_BOX = new Uint8Array(0);
const kemOf = (box: Uint8Array): Uint8Array => box.slice(KEM_AT, NONCE_AT);

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000): {
  now: () => number;
  advance: (ms: number) => void;
  set: (ms: number) => void;
} {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}

describe('session sealed boxes (version 2: one encapsulation, many boxes)', () => {
  const alice = generateSealKeyPair();
  const bob = generateSealKeyPair();
  const mallory = generateSealKeyPair();
  const aad = text('envelope 0123456789abcdef → alice');

  it('round-trips, with the documented overhead, through SealOpener and the one-shot open', () => {
    const sealer = new BoxSealer();
    for (const length of [0, 1, 1000, 70_000]) {
      const message = randomBytes(length);
      const box = sealer.seal(alice.publicKey, message, aad);
      expect(box[0]).toBe(2);
      expect(box).toHaveLength(length + SEALED_BOX_SESSION_OVERHEAD);
      expect(new SealOpener(alice.secretKey).open(box, aad)).toEqual(new Uint8Array(message));
      expect(open(alice.secretKey, box, aad)).toEqual(new Uint8Array(message));
    }
    expect(open(alice.secretKey, sealer.seal(alice.publicKey, new Uint8Array(0)))).toEqual(new Uint8Array(0));
  });

  it('seals many boxes of one session under one KEM ciphertext, each with its own nonce, and each opens', () => {
    const sealer = new BoxSealer();
    const opener = new SealOpener(alice.secretKey);
    const messages = Array.from({ length: 50 }, (_, i) => randomBytes(i * 7));
    const boxes = messages.map((m, i) => sealer.seal(alice.publicKey, m, text(`envelope ${i}`)));
    const kem = kemOf(boxes[0] ?? new Uint8Array(0));
    const nonces = new Set<string>();
    boxes.forEach((box, i) => {
      expect(kemOf(box)).toEqual(kem);
      nonces.add(Buffer.from(box.subarray(NONCE_AT, BODY_AT)).toString('hex'));
      expect(opener.open(box, text(`envelope ${i}`))).toEqual(new Uint8Array(messages[i] ?? []));
    });
    expect(nonces.size).toBe(boxes.length);
    // A box's aad is its own: another box's aad does not open it.
    expect(opener.open(boxes[1] ?? new Uint8Array(0), text('envelope 2'))).toBeNull();
  });

  it('decapsulates once per session at the recipient: later boxes of the session come from the cache', () => {
    const sealer = new BoxSealer();
    const opener = new SealOpener(alice.secretKey);
    for (let i = 0; i < 30; i++) {
      expect(opener.open(sealer.seal(alice.publicKey, text(`m${i}`), aad), aad)).toEqual(text(`m${i}`));
    }
    expect(opener.stats()).toEqual({ decapsulations: 1, cacheHits: 29, cached: 1 });
    // A second sender's session to the same recipient is a second decapsulation.
    const other = new BoxSealer();
    expect(opener.open(other.seal(alice.publicKey, text('x'), aad), aad)).toEqual(text('x'));
    expect(opener.open(other.seal(alice.publicKey, text('y'), aad), aad)).toEqual(text('y'));
    expect(opener.stats()).toEqual({ decapsulations: 2, cacheHits: 30, cached: 2 });
    opener.clear();
    expect(opener.open(other.seal(alice.publicKey, text('z'), aad), aad)).toEqual(text('z'));
    expect(opener.stats().decapsulations).toBe(3);
  });

  it('encapsulates afresh after maxBoxesPerSession boxes', () => {
    const sealer = new BoxSealer({ maxBoxesPerSession: 3 });
    const opener = new SealOpener(alice.secretKey);
    const boxes = Array.from({ length: 7 }, (_, i) => sealer.seal(alice.publicKey, text(`m${i}`), aad));
    const kems = boxes.map((b) => Buffer.from(kemOf(b)).toString('hex'));
    expect(kems[1]).toBe(kems[0]);
    expect(kems[2]).toBe(kems[0]);
    expect(kems[3]).not.toBe(kems[0]);
    expect(kems[4]).toBe(kems[3]);
    expect(kems[5]).toBe(kems[3]);
    expect(kems[6]).not.toBe(kems[3]);
    expect(kems[6]).not.toBe(kems[0]);
    boxes.forEach((box, i) => expect(opener.open(box, aad)).toEqual(text(`m${i}`)));
    expect(opener.stats().decapsulations).toBe(3);
  });

  it('encapsulates afresh after maxSessionAgeMs, and when the clock goes back', () => {
    const clock = manualClock();
    const sealer = new BoxSealer({ maxSessionAgeMs: 60_000, now: clock.now });
    const first = kemOf(sealer.seal(alice.publicKey, text('a'), aad));
    clock.advance(59_999);
    expect(kemOf(sealer.seal(alice.publicKey, text('b'), aad))).toEqual(first);
    clock.advance(1);
    const second = kemOf(sealer.seal(alice.publicKey, text('c'), aad));
    expect(second).not.toEqual(first);
    clock.advance(10);
    expect(kemOf(sealer.seal(alice.publicKey, text('d'), aad))).toEqual(second);
    clock.advance(-1_000);
    expect(kemOf(sealer.seal(alice.publicKey, text('e'), aad))).not.toEqual(second);
  });

  it('never shares a session between recipients or between sealers', () => {
    const sealer = new BoxSealer();
    const toAlice = sealer.seal(alice.publicKey, text('for alice'), aad);
    const toBob = sealer.seal(bob.publicKey, text('for bob'), aad);
    expect(kemOf(toBob)).not.toEqual(kemOf(toAlice));
    expect(open(bob.secretKey, toAlice, aad)).toBeNull();
    expect(open(alice.secretKey, toBob, aad)).toBeNull();
    expect(open(alice.secretKey, toAlice, aad)).toEqual(text('for alice'));
    expect(open(bob.secretKey, toBob, aad)).toEqual(text('for bob'));
    // Two sealers (two local profiles) never share a session to the same recipient.
    expect(kemOf(new BoxSealer().seal(alice.publicKey, text('x'), aad))).not.toEqual(kemOf(toAlice));
    expect(sealer.size).toBe(2);
  });

  it('keeps at most maxRecipients sessions, dropping the least recently used; clear() drops all', () => {
    const carol = generateSealKeyPair();
    const sealer = new BoxSealer({ maxRecipients: 2 });
    const aliceKem = kemOf(sealer.seal(alice.publicKey, text('1'), aad));
    const bobKem = kemOf(sealer.seal(bob.publicKey, text('2'), aad));
    // Alice is used again, so Bob is the least recently used when Carol arrives.
    expect(kemOf(sealer.seal(alice.publicKey, text('3'), aad))).toEqual(aliceKem);
    sealer.seal(carol.publicKey, text('4'), aad);
    expect(sealer.size).toBe(2);
    expect(kemOf(sealer.seal(alice.publicKey, text('5'), aad))).toEqual(aliceKem);
    const bobAgain = sealer.seal(bob.publicKey, text('6'), aad);
    expect(kemOf(bobAgain)).not.toEqual(bobKem);
    expect(open(bob.secretKey, bobAgain, aad)).toEqual(text('6'));
    sealer.clear();
    expect(sealer.size).toBe(0);
    expect(kemOf(sealer.seal(alice.publicKey, text('7'), aad))).not.toEqual(aliceKem);
  });

  it('refuses a malformed public key with a RangeError and caches nothing for it', () => {
    const sealer = new BoxSealer();
    expect(() => sealer.seal(new Uint8Array(32), text('x'))).toThrow(RangeError);
    const lowOrder = Uint8Array.from(alice.publicKey);
    lowOrder.fill(0, 1184);
    expect(() => sealer.seal(lowOrder, text('x'))).toThrow(RangeError);
    expect(sealer.size).toBe(0);
  });

  it('refuses nonsense bounds with a RangeError', () => {
    expect(() => new BoxSealer({ maxBoxesPerSession: 0 })).toThrow(RangeError);
    expect(() => new BoxSealer({ maxSessionAgeMs: Number.NaN })).toThrow(RangeError);
    expect(() => new BoxSealer({ maxRecipients: 1.5 })).toThrow(RangeError);
    expect(() => new SealOpener(alice.secretKey, { cacheSize: -1 })).toThrow(RangeError);
  });

  it('rejects tampering with the version, the KEM ciphertext, the nonce, the body or the aad', () => {
    const sealer = new BoxSealer();
    // A warm opener (the session's key cached) and a cold one must both refuse.
    const warm = new SealOpener(alice.secretKey);
    const good = sealer.seal(alice.publicKey, randomBytes(300), aad);
    expect(warm.open(good, aad)).not.toBeNull();
    const flip = (offset: number): Uint8Array => {
      const box = Uint8Array.from(good);
      box[offset] = (box[offset] ?? 0) ^ 1;
      return box;
    };
    const regions: Record<string, number[]> = {
      version: [0],
      kem: [KEM_AT, KEM_AT + 500, 1088, NONCE_AT - 1],
      nonce: [NONCE_AT, NONCE_AT + 11, BODY_AT - 1],
      body: [BODY_AT, BODY_AT + 150, good.length - 17, good.length - 1],
    };
    for (const [region, offsets] of Object.entries(regions)) {
      for (const offset of offsets) {
        const tampered = flip(offset);
        expect(warm.open(tampered, aad), `${region} @${offset} (warm)`).toBeNull();
        expect(new SealOpener(alice.secretKey).open(tampered, aad), `${region} @${offset} (cold)`).toBeNull();
      }
    }
    expect(warm.open(good, text('another aad'))).toBeNull();
    expect(warm.open(good)).toBeNull();
    expect(new SealOpener(mallory.secretKey).open(good, aad)).toBeNull();
    // Version 1 in front of a version 2 layout (and the reverse) is a failure, not a throw.
    const asV1 = Uint8Array.from(good);
    asV1[0] = 1;
    expect(warm.open(asV1, aad)).toBeNull();
    const asV2 = seal(alice.publicKey, randomBytes(300), aad);
    asV2[0] = 2;
    expect(warm.open(asV2, aad)).toBeNull();
    for (const length of [0, 1, 1121, 1145, 1160, good.length - 1]) {
      expect(warm.open(good.subarray(0, length), aad), `length ${length}`).toBeNull();
    }
    // The good box still opens: no failure above touched the cached key.
    expect(warm.open(good, aad)).not.toBeNull();
  });

  it('still opens version 1 boxes, with and without a warm cache', () => {
    const opener = new SealOpener(alice.secretKey);
    opener.open(new BoxSealer().seal(alice.publicKey, text('v2'), aad), aad);
    const v1 = seal(alice.publicKey, text('v1'), aad);
    expect(v1[0]).toBe(1);
    expect(opener.open(v1, aad)).toEqual(text('v1'));
    expect(open(alice.secretKey, v1, aad)).toEqual(text('v1'));
  });

  it('never caches the key of a forged box: garbage KEM ciphertexts neither open nor evict good sessions', () => {
    const opener = new SealOpener(alice.secretKey, { cacheSize: 2 });
    const s1 = new BoxSealer();
    const s2 = new BoxSealer();
    expect(opener.open(s1.seal(alice.publicKey, text('a'), aad), aad)).toEqual(text('a'));
    expect(opener.open(s2.seal(alice.publicKey, text('b'), aad), aad)).toEqual(text('b'));
    expect(opener.stats()).toMatchObject({ decapsulations: 2, cached: 2 });
    const template = s1.seal(alice.publicKey, text('template'), aad);
    for (let i = 0; i < 10; i++) {
      const forged = Uint8Array.from(template);
      forged.set(randomBytes(1120), KEM_AT);
      expect(opener.open(forged, aad)).toBeNull();
    }
    // Ten decapsulations for the forgeries, none cached, both sessions still warm.
    expect(opener.stats()).toMatchObject({ decapsulations: 12, cached: 2 });
    expect(opener.open(s1.seal(alice.publicKey, text('c'), aad), aad)).toEqual(text('c'));
    expect(opener.open(s2.seal(alice.publicKey, text('d'), aad), aad)).toEqual(text('d'));
    expect(opener.stats().decapsulations).toBe(12);
    // A real session's KEM ciphertext with a forged body: refused from the cache, entry kept.
    const forgedBody = s1.seal(alice.publicKey, text('e'), aad);
    forgedBody.set(randomBytes(forgedBody.length - BODY_AT), BODY_AT);
    expect(opener.open(forgedBody, aad)).toBeNull();
    expect(opener.open(s1.seal(alice.publicKey, text('f'), aad), aad)).toEqual(text('f'));
    expect(opener.stats()).toMatchObject({ decapsulations: 12, cached: 2 });
  });

  it('drops the least recently used session key when its cache is full, and the dropped session still opens', () => {
    const opener = new SealOpener(alice.secretKey, { cacheSize: 2 });
    const sealers = [new BoxSealer(), new BoxSealer(), new BoxSealer()];
    sealers.forEach((s, i) =>
      expect(opener.open(s.seal(alice.publicKey, text(`${i}`), aad), aad)).toEqual(text(`${i}`)),
    );
    expect(opener.stats()).toMatchObject({ decapsulations: 3, cached: 2 });
    // Sealer 0's key was dropped: its next box decapsulates again, and still opens.
    expect(opener.open(sealers[0]?.seal(alice.publicKey, text('again'), aad) ?? EMPTY_BOX, aad)).toEqual(
      text('again'),
    );
    expect(opener.stats().decapsulations).toBe(4);
    // Sealer 2 was used more recently than sealer 1, so it is still cached.
    expect(opener.open(sealers[2]?.seal(alice.publicKey, text('warm'), aad) ?? EMPTY_BOX, aad)).toEqual(
      text('warm'),
    );
    expect(opener.stats().decapsulations).toBe(4);
  });
});
