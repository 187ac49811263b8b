import { randomBytes } from 'node:crypto';
import { Aes128Gcm, Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, HkdfSha512 } from '@hpke/core';
import { XWing } from '@hpke/hybridkem-x-wing';
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { describe, expect, it } from 'vitest';
import { dhkemX25519 } from './dhkemX25519';
import { Hpke } from './hpke';
import { xwingKem } from './xwingKem';

/**
 * Our X-Wing and HPKE against two independent implementations: same keys from
 * the same seeds, and each side opens what the other sealed. The generic HPKE
 * key schedule with DHKEM(X25519) is also covered by the IETF MLS vectors
 * (interop.test.ts).
 */
const bytes = (b: ArrayBuffer | Uint8Array) => new Uint8Array(b);

describe('X-Wing KEM', () => {
  const reference = new XWing();

  it('derives the same public key from a seed as @hpke and @noble/post-quantum', async () => {
    for (let i = 0; i < 3; i++) {
      const sk = new Uint8Array(randomBytes(32));
      const mine = xwingKem.publicKeyOf(sk);
      expect(mine.length).toBe(1216);
      const theirs = await reference.generateKeyPairDerand(sk.slice());
      expect(bytes(await reference.serializePublicKey(theirs.publicKey))).toEqual(mine);
      expect(ml_kem768_x25519.getPublicKey(sk.slice())).toEqual(mine);
    }
  });

  it('DeriveKeyPair(ikm) matches @hpke', async () => {
    const ikm = new Uint8Array(randomBytes(64));
    const theirs = await reference.deriveKeyPair(ikm.slice());
    const mine = xwingKem.deriveKeyPair(ikm);
    expect(bytes(await reference.serializePrivateKey(theirs.privateKey))).toEqual(mine.sk);
    expect(bytes(await reference.serializePublicKey(theirs.publicKey))).toEqual(mine.pk);
  });

  it('decapsulates what the others encapsulated, and the other way round', async () => {
    const { sk, pk } = xwingKem.generateKeyPair();
    const sent = xwingKem.encap(pk);
    const theirSk = await reference.deserializePrivateKey(sk.slice());
    expect(bytes(await reference.decap({ enc: sent.enc.slice(), recipientKey: theirSk }))).toEqual(
      sent.sharedSecret,
    );
    expect(ml_kem768_x25519.decapsulate(sent.enc, sk.slice())).toEqual(sent.sharedSecret);

    const theirPk = await reference.deserializePublicKey(pk.slice());
    const theirs = await reference.encap({ recipientPublicKey: theirPk });
    expect(xwingKem.decap(bytes(theirs.enc), sk)).toEqual(bytes(theirs.sharedSecret));
    const noble = ml_kem768_x25519.encapsulate(pk);
    expect(xwingKem.decap(noble.cipherText, sk)).toEqual(noble.sharedSecret);
  });

  it('leaves its inputs untouched (the 0.5.x key-mutation bug)', () => {
    const { sk, pk } = xwingKem.generateKeyPair();
    const skCopy = sk.slice();
    const pkCopy = pk.slice();
    const { enc } = xwingKem.encap(pk);
    xwingKem.decap(enc, sk);
    expect(sk).toEqual(skCopy);
    expect(pk).toEqual(pkCopy);
  });

  it('rejects wrong lengths', () => {
    const { sk, pk } = xwingKem.generateKeyPair();
    expect(() => xwingKem.encap(pk.subarray(1))).toThrow(/1216/);
    expect(() => xwingKem.decap(new Uint8Array(10), sk)).toThrow(/1120/);
  });
});

const suites = [
  {
    name: 'X-Wing, HKDF-SHA512, AES-256-GCM (Parley default)',
    mine: new Hpke(xwingKem, 'sha512', 'aes-256-gcm'),
    theirs: new CipherSuite({ kem: new XWing(), kdf: new HkdfSha512(), aead: new Aes256Gcm() }),
  },
  {
    name: 'DHKEM(X25519), HKDF-SHA256, AES-128-GCM (MLS suite 1)',
    mine: new Hpke(dhkemX25519, 'sha256', 'aes-128-gcm'),
    theirs: new CipherSuite({
      kem: new DhkemX25519HkdfSha256(),
      kdf: new HkdfSha256(),
      aead: new Aes128Gcm(),
    }),
  },
];

describe.each(suites)('HPKE base mode: $name', ({ mine, theirs }) => {
  const info = new Uint8Array(randomBytes(20));
  const aad = new Uint8Array(randomBytes(13));
  const plaintext = new Uint8Array(randomBytes(100));

  it('@hpke/core opens what we sealed', async () => {
    const { sk, pk } = mine.kem.generateKeyPair();
    const { enc, ct } = mine.seal(pk, info, aad, plaintext);
    const recipientKey = await theirs.kem.deserializePrivateKey(sk.slice());
    expect(
      bytes(
        await theirs.open({ recipientKey, enc: enc.slice(), info: info.slice() }, ct.slice(), aad.slice()),
      ),
    ).toEqual(plaintext);
  });

  it('we open what @hpke/core sealed, and a flipped bit fails', async () => {
    const { sk, pk } = mine.kem.generateKeyPair();
    const recipientPublicKey = await theirs.kem.deserializePublicKey(pk.slice());
    const sealed = await theirs.seal(
      { recipientPublicKey, info: info.slice() },
      plaintext.slice(),
      aad.slice(),
    );
    expect(mine.open(sk, bytes(sealed.enc), info, aad, bytes(sealed.ct))).toEqual(plaintext);
    const bad = bytes(sealed.ct).slice();
    bad[3]! ^= 1;
    expect(() => mine.open(sk, bytes(sealed.enc), info, aad, bad)).toThrow();
  });

  it('exports the same secret on both sides', async () => {
    const { sk, pk } = mine.kem.generateKeyPair();
    const context = new Uint8Array(Buffer.from('MLS 1.0 external init secret'));
    const sent = mine.sendExport(pk, new Uint8Array(0), context, 32);
    const recipientKey = await theirs.kem.deserializePrivateKey(sk.slice());
    const rc = await theirs.createRecipientContext({ recipientKey, enc: sent.enc.slice() });
    expect(bytes(await rc.export(context.slice(), 32))).toEqual(sent.secret);
    expect(mine.receiveExport(sk, sent.enc, new Uint8Array(0), context, 32)).toEqual(sent.secret);
  });

  it('DeriveKeyPair matches', async () => {
    const ikm = new Uint8Array(randomBytes(32));
    const kp = await theirs.kem.deriveKeyPair(ikm.slice());
    const derived = mine.kem.deriveKeyPair(ikm);
    expect(bytes(await theirs.kem.serializePublicKey(kp.publicKey))).toEqual(derived.pk);
  });
});

/**
 * PSK mode (RFC 9180 §5.1.2), which device linking uses with X-Wing,
 * HKDF-SHA256 and AES-256-GCM (docs/protocol.md §13.5): both directions
 * against @hpke/core, and the properties the link relies on: a different PSK
 * or PSK id gives a different context, and PSK mode differs from base mode.
 */
const pskSuites = [
  {
    name: 'X-Wing, HKDF-SHA256, AES-256-GCM (device linking)',
    mine: new Hpke(xwingKem, 'sha256', 'aes-256-gcm'),
    theirs: new CipherSuite({ kem: new XWing(), kdf: new HkdfSha256(), aead: new Aes256Gcm() }),
  },
  {
    name: 'DHKEM(X25519), HKDF-SHA256, AES-128-GCM',
    mine: new Hpke(dhkemX25519, 'sha256', 'aes-128-gcm'),
    theirs: new CipherSuite({
      kem: new DhkemX25519HkdfSha256(),
      kdf: new HkdfSha256(),
      aead: new Aes128Gcm(),
    }),
  },
];

describe.each(pskSuites)('HPKE PSK mode: $name', ({ mine, theirs }) => {
  const info = new Uint8Array(randomBytes(32));
  const psk = { key: new Uint8Array(randomBytes(32)), id: new Uint8Array(randomBytes(16)) };
  const exporterContext = new Uint8Array(Buffer.from('parley/v1/link-mac-e'));
  const theirPsk = () => ({ key: psk.key.slice().buffer, id: psk.id.slice().buffer });

  it('@hpke/core exports what our sender exports', async () => {
    const { sk, pk } = mine.kem.generateKeyPair();
    const { enc, context } = mine.setupPskSender(pk, info, psk);
    const recipientKey = await theirs.kem.deserializePrivateKey(sk.slice());
    const rc = await theirs.createRecipientContext({
      recipientKey,
      enc: enc.slice(),
      info: info.slice(),
      psk: theirPsk(),
    });
    expect(bytes(await rc.export(exporterContext.slice(), 32))).toEqual(context.export(exporterContext, 32));
    expect(mine.setupPskRecipient(enc, sk, info, psk).export(exporterContext, 32)).toEqual(
      context.export(exporterContext, 32),
    );
  });

  it('our recipient exports what @hpke/core sender exports', async () => {
    const { sk, pk } = mine.kem.generateKeyPair();
    const recipientPublicKey = await theirs.kem.deserializePublicKey(pk.slice());
    const sc = await theirs.createSenderContext({ recipientPublicKey, info: info.slice(), psk: theirPsk() });
    const theirSecret = bytes(await sc.export(exporterContext.slice(), 16));
    expect(mine.setupPskRecipient(bytes(sc.enc), sk, info, psk).export(exporterContext, 16)).toEqual(
      theirSecret,
    );
  });

  it('a different PSK, PSK id or info gives a different secret, and base mode differs', () => {
    const { sk, pk } = mine.kem.generateKeyPair();
    const { enc, context } = mine.setupPskSender(pk, info, psk);
    const right = context.export(exporterContext, 32);
    const otherKey = { key: new Uint8Array(randomBytes(32)), id: psk.id };
    const otherId = { key: psk.key, id: new Uint8Array(randomBytes(16)) };
    expect(mine.setupPskRecipient(enc, sk, info, otherKey).export(exporterContext, 32)).not.toEqual(right);
    expect(mine.setupPskRecipient(enc, sk, info, otherId).export(exporterContext, 32)).not.toEqual(right);
    expect(mine.setupPskRecipient(enc, sk, new Uint8Array(32), psk).export(exporterContext, 32)).not.toEqual(
      right,
    );
    expect(mine.receiveExport(sk, enc, info, exporterContext, 32)).not.toEqual(right);
  });

  it('refuses a PSK under 32 bytes or an empty PSK id (RFC 9180 §5.1.2, VerifyPSKInputs)', () => {
    const { pk } = mine.kem.generateKeyPair();
    expect(() => mine.setupPskSender(pk, info, { key: new Uint8Array(16), id: psk.id })).toThrow(/32 bytes/);
    expect(() => mine.setupPskSender(pk, info, { key: psk.key, id: new Uint8Array(0) })).toThrow(/non-empty/);
  });
});
