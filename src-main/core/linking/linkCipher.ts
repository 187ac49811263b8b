import { aeadOpen, aeadSeal, NONCE_LENGTH } from '../mls/crypto/hpke';

/**
 * The sealed frames of a link after the SAS (LinkJoin, LinkGrant, LinkDone;
 * docs/protocol.md §13.5): AES-256-GCM under the direction's key (`k_n2e` or
 * `k_e2n`), nonce = 0x00000000 | u64be(frame counter of that direction), so
 * no nonce repeats under one key (NIST SP 800-38D §8.2.1, deterministic
 * construction) and a dropped, repeated or reordered frame fails its tag.
 * The AAD names the direction and the frame kind, so a frame cannot be
 * replayed as another kind.
 */
export type LinkFrameKind = 'join' | 'grant' | 'done';

function nonceOf(counter: number): Uint8Array {
  const nonce = new Uint8Array(NONCE_LENGTH);
  new DataView(nonce.buffer).setBigUint64(4, BigInt(counter));
  return nonce;
}

const aadOf = (direction: string, kind: LinkFrameKind): Uint8Array =>
  new Uint8Array(Buffer.from(`parley/v1/link-frame\0${direction}\0${kind}`, 'utf8'));

/** One direction of a link: seals (or opens) frames in order, counting from 0. */
export class LinkCipher {
  private counter = 0;

  constructor(
    private readonly key: Uint8Array,
    private readonly direction: 'n2e' | 'e2n',
  ) {
    if (key.length !== 32) throw new RangeError('link frame keys are 32 bytes');
  }

  seal(kind: LinkFrameKind, plaintext: Uint8Array): Uint8Array {
    const out = aeadSeal(
      'aes-256-gcm',
      this.key,
      nonceOf(this.counter),
      aadOf(this.direction, kind),
      plaintext,
    );
    this.counter += 1;
    return out;
  }

  /** Throws when the tag fails (wrong key, changed byte, wrong order or kind); the counter then stays. */
  open(kind: LinkFrameKind, sealed: Uint8Array): Uint8Array {
    const plain = aeadOpen(
      'aes-256-gcm',
      this.key,
      nonceOf(this.counter),
      aadOf(this.direction, kind),
      sealed,
    );
    this.counter += 1;
    return plain;
  }

  wipe(): void {
    this.key.fill(0);
  }
}
