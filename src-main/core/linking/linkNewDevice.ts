import type { LinkClientChannel, LinkProtocol, LinkRefusal, LinkServerMessage } from '../net/linkProtocol';
import { NetError } from '../net/netError';
import { LinkCipher } from './linkCipher';
import { decodeLinkCode, LINK_CODE_PROBLEMS, linkIdOf, type LinkCode } from './linkCode';
import { LinkError, type LinkFailure } from './linkFailure';
import { LinkHandshakeError, NewDeviceHandshake } from './linkHandshake';
import { linkResumeMac, type LinkSecrets, type ListHead } from './linkKeySchedule';
import { deferred, keepAlive, nextMessage, type WaitBudget } from './linkWait';

/**
 * The new device's side of linking (N, docs/protocol.md §13.5): code entered
 * → connected → SAS shown → confirmed (user) → granted (stored by `accept`).
 * N sends its JoinBody only after its user confirmed, checks E's MAC before
 * revealing its nonce, and stores nothing unless the whole grant arrived and
 * opened. A stream lost after N sent its JoinBody is resumed (LinkResume) a
 * few times before giving up, since E may already have listed N.
 */

/** What the new device's node offers linking. */
export interface LinkNode {
  peerId: string;
  addAddresses(peer: string, addresses: string[]): Promise<void>;
  services: { link: Pick<LinkProtocol, 'open'> };
}

export type LinkNewEvent =
  | { state: 'connecting' }
  | { state: 'sas'; sas: number; peer: string }
  | { state: 'other-confirmed' }
  | { state: 'waiting-for-grant' }
  | { state: 'granted' };

export interface LinkNewDeviceOptions {
  node: LinkNode;
  /** The pasted or scanned text. */
  codeText: string;
  clock(): number;
  /** The user's answer to "Do the codes match?" (the SAS is in the `sas` event too). */
  confirmSas(sas: number, peer: string): Promise<boolean>;
  /** N's JoinBody for the head E announced (made after the user confirmed). */
  join(head: ListHead, code: LinkCode): Promise<Uint8Array> | Uint8Array;
  /**
   * Verifies and stores the grant (profile, list, contacts) against the head E
   * announced and this link's transfer id; returns the hash of the list head stored.
   */
  accept(grant: Uint8Array, context: GrantContext): Promise<Uint8Array>;
  onEvent?(event: LinkNewEvent): void;
  /** Resume attempts after a lost grant (default 3) and the pause between them (default 1 s). */
  resumes?: { count: number; pauseMs: number };
}

/** What N checks a grant against. */
export interface GrantContext {
  code: LinkCode;
  head: ListHead;
  transferId: Uint8Array;
  /** The history key of this exchange (§13.5 `k_history`): N records the transfer with the profile. */
  kHistory: Uint8Array;
}

export interface LinkedDevice {
  /** E's PeerId: where the history comes from. */
  peer: string;
  identityKey: Uint8Array;
  kHistory: Uint8Array;
  transferId: Uint8Array;
}

const FAILURE_OF_REFUSAL: Record<LinkRefusal, LinkFailure> = {
  'code-not-live': 'code-not-live',
  declined: 'declined',
  'device-limit': 'device-limit',
  'list-changed': 'list-changed',
  failed: 'failed',
};

/** Thrown inside an attempt once N's JoinBody left: E may have granted, so N resumes. */
class LostAfterJoin extends Error {
  constructor(
    readonly secrets: LinkSecrets,
    readonly toE: LinkCipher,
    readonly head: ListHead,
    options: { cause: unknown },
  ) {
    super('stream lost after the join', options);
  }
}

/** A read that may be left behind when the user answers first: its later failure is not unhandled. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function unexpected(message: LinkServerMessage | null): LinkError {
  if (message?.kind === 'refused') return new LinkError(FAILURE_OF_REFUSAL[message.refusal]);
  return new LinkError(message === null ? 'interrupted' : 'failed');
}

/** Whether the dial failed because another peer than the code's answered (Noise). */
function wrongPeer(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    // Noise's handshake: the static key proven is not the PeerId we dialled
    // ("Payload identity key … does not match expected remote identity key").
    if (e.name === 'UnexpectedPeerError' || /does not match expected remote identity/i.test(e.message))
      return true;
  }
  return false;
}

export async function linkNewDevice(options: LinkNewDeviceOptions): Promise<LinkedDevice> {
  const decoded = decodeLinkCode(options.codeText, options.clock());
  if (!decoded.ok) {
    throw new LinkError(decoded.problem === 'expired' ? 'code-not-live' : 'wrong-device', {
      cause: new Error(LINK_CODE_PROBLEMS[decoded.problem]),
    });
  }
  const { code, bytes } = decoded;
  const { node } = options;
  if (code.peerId === node.peerId) throw new LinkError('wrong-device');
  options.onEvent?.({ state: 'connecting' });
  await node.addAddresses(code.peerId, code.addresses).catch(() => undefined);
  const deadlineMs = Math.max(5_000, code.expiresAt - options.clock() + 60_000);
  const handshake = new NewDeviceHandshake(code.secret, bytes, node.peerId, code.peerId);
  let lost: LostAfterJoin;
  try {
    return await node.services.link.open(
      code.peerId,
      (channel) => attempt(channel, handshake, code, options),
      { deadlineMs },
    );
  } catch (err) {
    if (err instanceof LinkError) throw err;
    if (!(err instanceof LostAfterJoin)) throw networkFailure(err, false);
    lost = err;
  }
  return resume(lost, code, options, deadlineMs);
}

function networkFailure(err: unknown, afterSas: boolean): LinkError {
  if (wrongPeer(err)) return new LinkError('wrong-device', { cause: err });
  if (err instanceof NetError && (err.code === 'unreachable' || err.code === 'timeout') && !afterSas)
    return new LinkError('unreachable', { cause: err });
  if (err instanceof NetError && err.code === 'refused') return new LinkError('unreachable', { cause: err });
  // E reset the stream: a wrong MAC on its side, or the code is gone.
  return new LinkError(afterSas ? 'interrupted' : 'code-not-live', { cause: err });
}

async function attempt(
  channel: LinkClientChannel,
  handshake: NewDeviceHandshake,
  code: LinkCode,
  options: LinkNewDeviceOptions,
): Promise<LinkedDevice> {
  const budget: WaitBudget = { skipped: 0 };
  await channel.send({ kind: 'hello', ...handshake.hello });
  const challenge = await nextMessage(channel, budget);
  if (challenge?.kind !== 'challenge') throw unexpected(challenge);
  let answered;
  try {
    answered = handshake.answer({ ...challenge, macE: challenge.mac });
  } catch (err) {
    // E does not know the code's secret: not the device that showed it.
    if (err instanceof LinkHandshakeError) throw new LinkError('wrong-device', { cause: err });
    throw err;
  }
  const { secrets } = answered;
  await channel.send({ kind: 'reveal', nonceN: answered.reveal.nonceN, mac: answered.reveal.macN });
  options.onEvent?.({ state: 'sas', sas: secrets.sas, peer: code.peerId });

  // Wait for our user while watching E (its user may say "differ" first).
  const alive = keepAlive(channel, { kind: 'waiting' } as const);
  const user = deferred<boolean>();
  Promise.resolve()
    .then(() => options.confirmSas(secrets.sas, code.peerId))
    .then(user.resolve, () => user.resolve(false));
  let fromE = quiet(nextMessage(channel, budget));
  let match: boolean | undefined;
  try {
    while (match === undefined) {
      const next = await Promise.race([
        user.promise.then((said) => ({ said })),
        fromE.then((message) => ({ message })),
      ]);
      if ('said' in next) {
        match = next.said;
      } else if (next.message?.kind === 'confirmed') {
        options.onEvent?.({ state: 'other-confirmed' });
        fromE = quiet(nextMessage(channel, budget));
      } else {
        throw unexpected(next.message);
      }
    }
  } finally {
    alive.stop();
  }
  if (!match) {
    await channel.send({ kind: 'cancel' });
    await channel.close();
    throw new LinkError('declined');
  }
  const toE = new LinkCipher(secrets.kN2e.slice(), 'n2e');
  await channel.send({ kind: 'join', sealed: toE.seal('join', await options.join(challenge.head, code)) });
  options.onEvent?.({ state: 'waiting-for-grant' });
  try {
    return await receiveGrant(channel, secrets, toE, challenge.head, code, options, budget, fromE);
  } catch (err) {
    if (err instanceof LinkError) throw err;
    throw new LostAfterJoin(secrets, toE, challenge.head, { cause: err });
  }
}

async function receiveGrant(
  channel: LinkClientChannel,
  secrets: LinkSecrets,
  toE: LinkCipher,
  head: ListHead,
  code: LinkCode,
  options: LinkNewDeviceOptions,
  budget: WaitBudget,
  pending?: Promise<LinkServerMessage | null>,
): Promise<LinkedDevice> {
  const fromE = new LinkCipher(secrets.kE2n.slice(), 'e2n');
  const parts: Uint8Array[] = [];
  let next = pending ?? nextMessage(channel, budget);
  for (;;) {
    const message = await next;
    if (message?.kind === 'confirmed') {
      options.onEvent?.({ state: 'other-confirmed' });
    } else if (message?.kind === 'grant') {
      let part: Uint8Array;
      try {
        part = fromE.open('grant', message.sealed);
      } catch (err) {
        throw new LinkError('failed', { cause: err });
      }
      parts.push(part);
      if (message.last) break;
    } else {
      throw unexpected(message);
    }
    next = nextMessage(channel, budget);
  }
  const grant = new Uint8Array(Buffer.concat(parts));
  const headHash = await options.accept(grant, {
    code,
    head,
    transferId: secrets.transferId,
    kHistory: secrets.kHistory,
  });
  options.onEvent?.({ state: 'granted' });
  await channel.send({ kind: 'done', sealed: toE.seal('done', headHash) });
  await channel.close();
  return {
    peer: code.peerId,
    identityKey: code.identityKey,
    kHistory: secrets.kHistory,
    transferId: secrets.transferId,
  };
}

async function resume(
  lost: LostAfterJoin,
  code: LinkCode,
  options: LinkNewDeviceOptions,
  deadlineMs: number,
): Promise<LinkedDevice> {
  const { count, pauseMs } = options.resumes ?? { count: 3, pauseMs: 1_000 };
  const { node } = options;
  let last: unknown = lost.cause;
  for (let i = 0; i < count; i++) {
    await new Promise((r) => setTimeout(r, pauseMs));
    try {
      return await node.services.link.open(
        code.peerId,
        async (channel) => {
          const linkId = linkIdOf(code.secret);
          await channel.send({
            kind: 'resume',
            linkId,
            mac: linkResumeMac(lost.secrets.resumeKey, linkId, node.peerId),
          });
          return receiveGrant(channel, lost.secrets, lost.toE, lost.head, code, options, { skipped: 0 });
        },
        { deadlineMs },
      );
    } catch (err) {
      if (err instanceof LinkError) throw err;
      last = err;
    }
  }
  throw new LinkError('interrupted', { cause: last });
}
