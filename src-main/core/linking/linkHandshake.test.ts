import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LinkCipher } from './linkCipher';
import { linkCodeBytes, type LinkCode } from './linkCode';
import {
  ExistingDeviceHandshake,
  LinkHandshakeError,
  NewDeviceHandshake,
  type LinkChallenge,
  type LinkHello,
} from './linkHandshake';
import { formatSas, linkCommitment, linkResumeMac, randomNonce } from './linkKeySchedule';

const peerIdE = '12D3KooWGzh4Vq3F3bmrqPZzvWR6GXxW7LcGZRRsdUqXJmYo4rwL';
const peerIdN = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE';
const peerIdM = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo';
const head = { seq: 0, hash: new Uint8Array(32).fill(3) };

function makeCode(peerId = peerIdE): { code: LinkCode; bytes: Uint8Array } {
  const code: LinkCode = {
    secret: new Uint8Array(randomBytes(32)),
    expiresAt: Date.now() + 60_000,
    identityKey: new Uint8Array(32).fill(7),
    peerId,
    addresses: [`/ip4/127.0.0.1/tcp/4001/p2p/${peerId}`],
  };
  return { code, bytes: linkCodeBytes(code) };
}

function failureOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    if (err instanceof LinkHandshakeError) return err.failure;
    throw err;
  }
  return undefined;
}

describe('the link handshake (docs/protocol.md §13.5)', () => {
  it('gives both sides the same SAS and keys when both know the code', () => {
    const { code, bytes } = makeCode();
    const n = new NewDeviceHandshake(code.secret, bytes, peerIdN, peerIdE);
    const e = new ExistingDeviceHandshake(code.secret, bytes, peerIdN, peerIdE, n.hello, head);
    const { reveal, secrets: onN } = n.answer(e.challenge);
    const onE = e.verify(reveal);
    expect(onE).toEqual(onN);
    expect(onN.sas).toBeGreaterThanOrEqual(0);
    expect(onN.sas).toBeLessThan(1_000_000);
    expect(formatSas(onN.sas)).toMatch(/^\d{3} \d{3}$/);
    expect(onN.transferId.length).toBe(16);
    // Every key is distinct: one per purpose and direction.
    const keys = [onN.kN2e, onN.kE2n, onN.kHistory, onN.resumeKey].map((k) => Buffer.from(k).toString('hex'));
    expect(new Set(keys).size).toBe(4);
  });

  it('shows the SAS zero-padded in two groups', () => {
    expect(formatSas(42)).toBe('000 042');
    expect(formatSas(482019)).toBe('482 019');
  });

  it('N refuses a challenge from someone without the code (wrong mac_e), and reveals nothing', () => {
    const { code, bytes } = makeCode();
    const n = new NewDeviceHandshake(code.secret, bytes, peerIdN, peerIdE);
    const wrongSecret = new Uint8Array(randomBytes(32));
    const impostor = new ExistingDeviceHandshake(wrongSecret, bytes, peerIdN, peerIdE, n.hello, head);
    expect(failureOf(() => n.answer(impostor.challenge))).toBe('mac');
  });

  it('E refuses a reveal from someone without the code (wrong mac_n)', () => {
    const { code, bytes } = makeCode();
    const n = new NewDeviceHandshake(code.secret, bytes, peerIdN, peerIdE);
    // A hello with the right link_id but made without the secret cannot produce mac_n.
    const e = new ExistingDeviceHandshake(code.secret, bytes, peerIdN, peerIdE, n.hello, head);
    const guess = new NewDeviceHandshake(new Uint8Array(randomBytes(32)), bytes, peerIdN, peerIdE);
    const nonceN = randomNonce();
    const forgedHello: LinkHello = {
      linkId: n.hello.linkId,
      kemPublicKey: guess.hello.kemPublicKey,
      commitment: linkCommitment(nonceN, guess.hello.kemPublicKey),
    };
    const e2 = new ExistingDeviceHandshake(code.secret, bytes, peerIdN, peerIdE, forgedHello, head);
    expect(failureOf(() => e2.verify({ nonceN, macN: new Uint8Array(32) }))).toBe('mac');
    // A flipped bit in an honest mac_n fails too.
    const { reveal } = n.answer(e.challenge);
    const bad = { ...reveal, macN: reveal.macN.slice() };
    bad.macN[0]! ^= 1;
    expect(failureOf(() => e.verify(bad))).toBe('mac');
  });

  it('the commitment binds nonce_n: a different nonce at reveal is refused', () => {
    const { code, bytes } = makeCode();
    const n = new NewDeviceHandshake(code.secret, bytes, peerIdN, peerIdE);
    const e = new ExistingDeviceHandshake(code.secret, bytes, peerIdN, peerIdE, n.hello, head);
    const { reveal } = n.answer(e.challenge);
    expect(failureOf(() => e.verify({ ...reveal, nonceN: randomNonce() }))).toBe('commitment');
    // And a reveal cannot be retried on the same challenge.
    expect(failureOf(() => e.verify(reveal))).toBe('malformed');
  });

  it('binds the PeerIds Noise authenticated: a different peer gets different keys', () => {
    const { code, bytes } = makeCode();
    const n = new NewDeviceHandshake(code.secret, bytes, peerIdN, peerIdE);
    // E sees the stream from M (a relay of N's hello): the contexts differ, so mac_e fails on N.
    const e = new ExistingDeviceHandshake(code.secret, bytes, peerIdM, peerIdE, n.hello, head);
    expect(failureOf(() => n.answer(e.challenge))).toBe('mac');
  });

  it('binds the announced head: a changed head in the challenge fails mac_e', () => {
    const { code, bytes } = makeCode();
    const n = new NewDeviceHandshake(code.secret, bytes, peerIdN, peerIdE);
    const e = new ExistingDeviceHandshake(code.secret, bytes, peerIdN, peerIdE, n.hello, head);
    const changed: LinkChallenge = { ...e.challenge, head: { seq: 1, hash: head.hash } };
    expect(failureOf(() => n.answer(changed))).toBe('mac');
  });

  it('refuses malformed fields with a clear failure, not a crash', () => {
    const { code, bytes } = makeCode();
    const n = new NewDeviceHandshake(code.secret, bytes, peerIdN, peerIdE);
    const shortKey = { ...n.hello, kemPublicKey: n.hello.kemPublicKey.subarray(1) };
    expect(
      failureOf(() => new ExistingDeviceHandshake(code.secret, bytes, peerIdN, peerIdE, shortKey, head)),
    ).toBe('malformed');
    const shortId = { ...n.hello, linkId: new Uint8Array(15) };
    expect(
      failureOf(() => new ExistingDeviceHandshake(code.secret, bytes, peerIdN, peerIdE, shortId, head)),
    ).toBe('malformed');
    const e = new ExistingDeviceHandshake(code.secret, bytes, peerIdN, peerIdE, n.hello, head);
    expect(failureOf(() => n.answer({ ...e.challenge, kemCiphertext: new Uint8Array(10) }))).toBe(
      'malformed',
    );
    const n2 = new NewDeviceHandshake(code.secret, bytes, peerIdN, peerIdE);
    expect(failureOf(() => n2.answer({ ...e.challenge, macE: new Uint8Array(31) }))).toBe('malformed');
  });

  /**
   * A man in the middle that knows the code (it saw the QR, or it altered the
   * pasted text's address) runs one session with N (as E) and one with E (as
   * N), choosing its own messages as adaptively as the order allows: it
   * learns E's challenge, hence its own SAS with E, before it must answer N,
   * but N's nonce_n is committed and unknown, so it cannot steer the SAS N
   * shows. It wins only by chance (10⁻⁶ per attempt); 100 attempts show at
   * most one win with overwhelming probability.
   */
  it('a man in the middle that knows the code cannot make both SAS agree', () => {
    let agreed = 0;
    const attempts = 100;
    for (let i = 0; i < attempts; i++) {
      const { code, bytes } = makeCode();
      // M altered the pasted code to point N at itself (Noise would refuse M under E's PeerId).
      const altered = linkCodeBytes({ ...code, peerId: peerIdM, addresses: [] });
      const n = new NewDeviceHandshake(code.secret, altered, peerIdN, peerIdM);
      // Session M↔E: M plays N, with its own KEM key and nonce, committed first.
      const mAsN = new NewDeviceHandshake(code.secret, bytes, peerIdM, peerIdE);
      const e = new ExistingDeviceHandshake(code.secret, bytes, peerIdM, peerIdE, mAsN.hello, head);
      const towardE = mAsN.answer(e.challenge);
      const sasOnE = e.verify(towardE.reveal).sas;
      // Session N↔M: M plays E, with the same altered code N holds.
      const mAsE = new ExistingDeviceHandshake(code.secret, altered, peerIdN, peerIdM, n.hello, head);
      const { secrets } = n.answer(mAsE.challenge);
      if (secrets.sas === sasOnE) agreed += 1;
    }
    expect(agreed).toBeLessThanOrEqual(1);
  });
});

describe('sealed link frames', () => {
  it('open in order under the right key, kind and direction only', () => {
    const key = new Uint8Array(randomBytes(32));
    const sender = new LinkCipher(key.slice(), 'n2e');
    const receiver = new LinkCipher(key.slice(), 'n2e');
    const a = sender.seal('join', Uint8Array.of(1));
    const b = sender.seal('done', Uint8Array.of(2));
    // Out of order: b at counter 0 fails; the counter does not move on a failure.
    expect(() => receiver.open('done', b)).toThrow();
    expect(receiver.open('join', a)).toEqual(Uint8Array.of(1));
    expect(() => receiver.open('join', b)).toThrow();
    expect(receiver.open('done', b)).toEqual(Uint8Array.of(2));
    // A replay of a is at the wrong counter now.
    expect(() => receiver.open('join', a)).toThrow();
    const other = new LinkCipher(key.slice(), 'e2n');
    expect(() =>
      other.open('join', new LinkCipher(key.slice(), 'n2e').seal('join', Uint8Array.of(1))),
    ).toThrow();
  });

  it('the resume MAC names the link and the new device', () => {
    const key = new Uint8Array(randomBytes(32));
    const id = new Uint8Array(16).fill(1);
    expect(linkResumeMac(key, id, peerIdN)).toEqual(linkResumeMac(key, id, peerIdN));
    expect(linkResumeMac(key, id, peerIdM)).not.toEqual(linkResumeMac(key, id, peerIdN));
  });
});
