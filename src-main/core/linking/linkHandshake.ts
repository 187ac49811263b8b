import { LINK_ID_BYTES, linkIdOf } from './linkCode';
import {
  LINK_HPKE,
  LINK_MAC_BYTES,
  LINK_NONCE_BYTES,
  linkCommitment,
  linkInfo,
  linkMacE,
  linkMacN,
  linkPsk,
  linkSecrets,
  linkTh1,
  linkTh2,
  randomNonce,
  sameMac,
  type LinkSecrets,
  type ListHead,
} from './linkKeySchedule';

/**
 * Messages 1–3 of a link (docs/protocol.md §13.5) as two small state holders,
 * one per side, independent of the wire: the protocol (net/linkProtocol.ts)
 * carries these fields, the state machines (linkExisting.ts, linkNew.ts)
 * decide what the users see.
 *
 *   1 N→E LinkHello     { link_id, kem_public_key, commitment }
 *   2 E→N LinkChallenge { kem_ciphertext, nonce_e, head, mac_e }
 *   3 N→E LinkReveal    { nonce_n, mac_n }
 *
 * N checks mac_e before revealing nonce_n; E checks the commitment and mac_n
 * before showing the SAS.
 */
export const KEM_PUBLIC_KEY_BYTES = LINK_HPKE.kem.publicKeyLength;
export const KEM_CIPHERTEXT_BYTES = LINK_HPKE.kem.encLength;

export interface LinkHello {
  linkId: Uint8Array;
  kemPublicKey: Uint8Array;
  commitment: Uint8Array;
}

export interface LinkChallenge {
  kemCiphertext: Uint8Array;
  nonceE: Uint8Array;
  head: ListHead;
  macE: Uint8Array;
}

export interface LinkReveal {
  nonceN: Uint8Array;
  macN: Uint8Array;
}

/** Why a handshake step was refused. `mac` and `commitment` count as failed attempts on E. */
export type HandshakeFailure = 'mac' | 'commitment' | 'malformed';

export class LinkHandshakeError extends Error {
  constructor(readonly failure: HandshakeFailure) {
    super(`link handshake refused (${failure})`);
    this.name = 'LinkHandshakeError';
  }
}

/**
 * "LinkHello bytes" in `info`: the hello's fields in a fixed layout
 * (u8 version 1 | link_id[16] | kem_public_key[1216] | commitment[32]),
 * independent of the wire encoding, so both sides hash the same bytes.
 */
export function helloTranscript(hello: LinkHello): Uint8Array {
  return new Uint8Array(
    Buffer.concat([Uint8Array.of(1), hello.linkId, hello.kemPublicKey, hello.commitment]),
  );
}

function checkHello(hello: LinkHello): void {
  if (
    hello.linkId.length !== LINK_ID_BYTES ||
    hello.kemPublicKey.length !== KEM_PUBLIC_KEY_BYTES ||
    hello.commitment.length !== 32
  ) {
    throw new LinkHandshakeError('malformed');
  }
}

/** The new device's side: makes a one-time X-Wing key pair and commits to nonce_n. */
export class NewDeviceHandshake {
  readonly hello: LinkHello;
  private readonly kemSecretKey: Uint8Array;
  private readonly nonceN = randomNonce();

  constructor(
    private readonly secret: Uint8Array,
    private readonly codeBytes: Uint8Array,
    private readonly peerIdN: string,
    private readonly peerIdE: string,
  ) {
    const { sk, pk } = LINK_HPKE.kem.generateKeyPair();
    this.kemSecretKey = sk;
    this.hello = {
      linkId: linkIdOf(secret),
      kemPublicKey: pk,
      commitment: linkCommitment(this.nonceN, pk),
    };
  }

  /**
   * Checks E's MAC (E knows the code) and only then reveals nonce_n. The KEM
   * secret key is wiped either way: one attempt per key pair.
   */
  answer(challenge: LinkChallenge): { reveal: LinkReveal; secrets: LinkSecrets } {
    try {
      if (
        challenge.kemCiphertext.length !== KEM_CIPHERTEXT_BYTES ||
        challenge.nonceE.length !== LINK_NONCE_BYTES ||
        challenge.macE.length !== LINK_MAC_BYTES ||
        challenge.head.hash.length !== 32
      ) {
        throw new LinkHandshakeError('malformed');
      }
      const info = linkInfo(this.codeBytes, this.peerIdN, this.peerIdE, helloTranscript(this.hello));
      let ctx;
      try {
        ctx = LINK_HPKE.setupPskRecipient(
          challenge.kemCiphertext,
          this.kemSecretKey,
          info,
          linkPsk(this.secret, this.hello.linkId),
        );
      } catch {
        throw new LinkHandshakeError('malformed');
      }
      const th1 = linkTh1(info, challenge.kemCiphertext, challenge.nonceE, challenge.head);
      if (!sameMac(linkMacE(ctx, th1), challenge.macE)) throw new LinkHandshakeError('mac');
      const th2 = linkTh2(th1, this.nonceN);
      return { reveal: { nonceN: this.nonceN, macN: linkMacN(ctx, th2) }, secrets: linkSecrets(ctx, th2) };
    } finally {
      this.kemSecretKey.fill(0);
    }
  }
}

/** The existing device's side: answers a hello with a challenge, then checks the reveal. */
export class ExistingDeviceHandshake {
  readonly challenge: LinkChallenge;
  private readonly th1: Uint8Array;
  private readonly ctx;
  private used = false;

  /** Throws LinkHandshakeError('malformed') for a hello with wrong field lengths or a KEM key that does not encapsulate. */
  constructor(
    secret: Uint8Array,
    codeBytes: Uint8Array,
    peerIdN: string,
    peerIdE: string,
    private readonly hello: LinkHello,
    head: ListHead,
  ) {
    checkHello(hello);
    const info = linkInfo(codeBytes, peerIdN, peerIdE, helloTranscript(hello));
    let setup;
    try {
      setup = LINK_HPKE.setupPskSender(hello.kemPublicKey, info, linkPsk(secret, hello.linkId));
    } catch {
      throw new LinkHandshakeError('malformed');
    }
    this.ctx = setup.context;
    const nonceE = randomNonce();
    this.th1 = linkTh1(info, setup.enc, nonceE, head);
    this.challenge = { kemCiphertext: setup.enc, nonceE, head, macE: linkMacE(this.ctx, this.th1) };
  }

  /** The session's secrets once nonce_n opens the commitment and mac_n proves N knows the code. */
  verify(reveal: LinkReveal): LinkSecrets {
    if (this.used) throw new LinkHandshakeError('malformed');
    this.used = true;
    if (reveal.nonceN.length !== LINK_NONCE_BYTES || reveal.macN.length !== LINK_MAC_BYTES) {
      throw new LinkHandshakeError('malformed');
    }
    if (!sameMac(linkCommitment(reveal.nonceN, this.hello.kemPublicKey), this.hello.commitment)) {
      throw new LinkHandshakeError('commitment');
    }
    const th2 = linkTh2(this.th1, reveal.nonceN);
    if (!sameMac(linkMacN(this.ctx, th2), reveal.macN)) throw new LinkHandshakeError('mac');
    return linkSecrets(this.ctx, th2);
  }
}
