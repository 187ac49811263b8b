import { randomBytes } from 'node:crypto';
import { FrameError } from '../net/frameStream';
import {
  LINK_SEALED_MAX,
  type LinkClientMessage,
  type LinkHandler,
  type LinkRefusal,
  type LinkServerChannel,
} from '../net/linkProtocol';
import { equalBytes } from '../net/bytes';
import { LinkCipher } from './linkCipher';
import { encodeLinkCode, LINK_CODE_TTL_MS, LINK_SECRET_BYTES, linkCodeBytes, linkIdOf } from './linkCode';
import { LinkError, type LinkFailure } from './linkFailure';
import { ExistingDeviceHandshake, LinkHandshakeError } from './linkHandshake';
import { linkResumeMac, sameMac, type LinkSecrets, type ListHead } from './linkKeySchedule';
import { deferred, keepAlive, nextMessage, partsOf, type WaitBudget } from './linkWait';

/**
 * The existing device's side of linking (E, docs/protocol.md §13.5): shows a
 * code, answers the new device's hello, shows the SAS, and grants once both
 * users confirmed. States: code shown → hello checked → SAS shown →
 * confirmed and JoinBody received → granted → done.
 *
 * Rules from the design: one live code at a time, in memory only, at most 10
 * minutes; 16 attempts per code, 3 failed MACs or a "codes differ" burn it;
 * one completed pairing ends it; no code while the person has 5 devices. A
 * granted link keeps its sealed grant 10 minutes, so a new device whose
 * stream broke before it had the grant can fetch it again (LinkResume).
 */
export const MAX_ACTIVE_DEVICES = 5;
export const ATTEMPTS_PER_CODE = 16;
export const FAILED_MACS_PER_CODE = 3;
export const RESUME_KEEP_MS = 10 * 60_000;

/** What E grants from: the new device's opened JoinBody and the head announced to it. */
export interface GrantRequest {
  peer: string;
  join: Uint8Array;
  head: ListHead;
  transferId: Uint8Array;
}

export interface LinkHostDeps {
  peerId: string;
  identityKey: Uint8Array;
  /** E's current addresses (each with /p2p/<peerId>), for the code. */
  addresses(): string[];
  /** E's device list head, announced in the challenge. */
  head(): ListHead;
  activeDeviceCount(): number;
  /**
   * Appends add(N) and stores what the grant needs in one transaction, and
   * returns the GrantBody. Throws LinkError('device-limit' | 'list-changed')
   * to refuse; anything else refuses as 'failed'.
   */
  grant(request: GrantRequest): Promise<Uint8Array>;
  /** N confirmed it stored the grant: the history transfer may start. */
  onLinked?(linked: {
    peer: string;
    kHistory: Uint8Array;
    transferId: Uint8Array;
    headHash: Uint8Array;
  }): void;
  clock(): number;
  /** Overrides of the per-code limits (tests). */
  limits?: { attemptsPerCode?: number; failedMacsPerCode?: number };
}

export type LinkHostEvent =
  | { state: 'code'; expiresAt: number }
  | { state: 'sas'; sas: number; peer: string }
  | { state: 'confirmed' }
  | { state: 'granted'; peer: string }
  | { state: 'done'; peer: string }
  | { state: 'failed'; reason: LinkFailure }
  | { state: 'closed' };

interface LiveCode {
  secret: Uint8Array;
  bytes: Uint8Array;
  linkId: Uint8Array;
  expiresAt: number;
  attempts: number;
  failedMacs: number;
  /** An attempt passed the MACs: no other may start. */
  inUse: boolean;
  answer?: { resolve(match: boolean): void };
}

interface KeptGrant {
  linkId: Uint8Array;
  peer: string;
  resumeKey: Uint8Array;
  frames: Uint8Array[];
  /** N's direction, at the counter its DONE comes under. */
  fromN: LinkCipher;
  secrets: LinkSecrets;
  until: number;
}

const REFUSAL_OF: Partial<Record<LinkFailure, LinkRefusal>> = {
  'device-limit': 'device-limit',
  'list-changed': 'list-changed',
};

/** Where linking is on this device, for a screen or a command that asks. */
export interface LinkHostStatus {
  state: 'idle' | LinkHostEvent['state'];
  code: string | null;
  expiresAt: number | null;
  sas: number | null;
  peer: string | null;
  reason: LinkFailure | null;
}

const IDLE: LinkHostStatus = {
  state: 'idle',
  code: null,
  expiresAt: null,
  sas: null,
  peer: null,
  reason: null,
};

export class LinkHost {
  private code: LiveCode | undefined;
  private current: LinkHostStatus = IDLE;
  private readonly kept = new Map<string, KeptGrant>();
  private readonly listeners = new Set<(event: LinkHostEvent) => void>();

  constructor(private readonly deps: LinkHostDeps) {}

  on(listener: (event: LinkHostEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: LinkHostEvent): void {
    const c = this.current;
    this.current = {
      state: event.state,
      code: event.state === 'code' ? c.code : event.state === 'closed' ? null : c.code,
      expiresAt: event.state === 'code' ? event.expiresAt : c.expiresAt,
      sas: event.state === 'sas' ? event.sas : event.state === 'code' ? null : c.sas,
      peer: 'peer' in event ? event.peer : event.state === 'code' ? null : c.peer,
      reason: event.state === 'failed' ? event.reason : null,
    };
    for (const listener of this.listeners) listener(event);
  }

  status(): LinkHostStatus {
    return { ...this.current };
  }

  /** Shows a new code (ending any previous one). Throws LinkError('device-limit') at 5 devices. */
  showCode(): { text: string; expiresAt: number } {
    if (this.deps.activeDeviceCount() >= MAX_ACTIVE_DEVICES) throw new LinkError('device-limit');
    this.burn();
    const secret = new Uint8Array(randomBytes(LINK_SECRET_BYTES));
    const expiresAt = this.deps.clock() + LINK_CODE_TTL_MS;
    const code = {
      secret,
      expiresAt,
      identityKey: this.deps.identityKey,
      peerId: this.deps.peerId,
      addresses: this.deps.addresses(),
    };
    this.code = {
      secret,
      bytes: linkCodeBytes(code),
      linkId: linkIdOf(secret),
      expiresAt,
      attempts: 0,
      failedMacs: 0,
      inUse: false,
    };
    const text = encodeLinkCode(code);
    this.current = { ...IDLE, code: text };
    this.emit({ state: 'code', expiresAt });
    return { text, expiresAt };
  }

  /** The user closed the screen: the code ends (a grant already made stays resumable). */
  closeCode(): void {
    this.burn();
    this.emit({ state: 'closed' });
  }

  /** The user's answer to "Do the codes match?" on this device. */
  confirm(match: boolean): void {
    const answer = this.code?.answer;
    if (answer === undefined) throw new LinkError('code-not-live');
    answer.resolve(match);
  }

  /** For the node: a code is live, or a grant waits for resumption. */
  readonly handler: LinkHandler = {
    accepting: () => this.liveCode() !== undefined || this.keptGrants() > 0,
    serve: (peer, channel) => this.serve(peer, channel),
  };

  private liveCode(): LiveCode | undefined {
    const code = this.code;
    if (code !== undefined && code.expiresAt <= this.deps.clock()) this.burn();
    return this.code;
  }

  private keptGrants(): number {
    const now = this.deps.clock();
    for (const [key, grant] of this.kept) if (grant.until <= now) this.kept.delete(key);
    return this.kept.size;
  }

  /** Ends the live code: its secret is wiped, and a waiting SAS answer becomes "no". */
  private burn(): void {
    const code = this.code;
    if (code === undefined) return;
    this.code = undefined;
    code.answer?.resolve(false);
    code.secret.fill(0);
  }

  /** The attempt on `code` failed: that code ends (not a newer one the user opened meanwhile). */
  private fail(reason: LinkFailure, code: LiveCode | undefined): void {
    if (code !== undefined && this.code !== code) return;
    this.burn();
    this.emit({ state: 'failed', reason });
  }

  private async refuse(channel: LinkServerChannel, refusal: LinkRefusal): Promise<void> {
    await channel.send({ kind: 'refused', refusal });
    await channel.close();
  }

  private async serve(peer: string, channel: LinkServerChannel): Promise<void> {
    const first = await channel.receive();
    if (first === null) return;
    if (first.kind === 'resume') return this.resume(peer, first, channel);
    if (first.kind !== 'hello') throw new FrameError('invalid', 'a link starts with hello or resume');
    const code = this.liveCode();
    if (code === undefined || code.inUse || !equalBytes(first.linkId, code.linkId)) {
      return this.refuse(channel, 'code-not-live');
    }
    code.attempts += 1;
    if (code.attempts > (this.deps.limits?.attemptsPerCode ?? ATTEMPTS_PER_CODE)) {
      this.fail('too-many-attempts', code);
      return this.refuse(channel, 'code-not-live');
    }
    if (this.deps.activeDeviceCount() >= MAX_ACTIVE_DEVICES) return this.refuse(channel, 'device-limit');
    const head = this.deps.head();
    let handshake: ExistingDeviceHandshake;
    try {
      handshake = new ExistingDeviceHandshake(code.secret, code.bytes, peer, this.deps.peerId, first, head);
    } catch {
      throw new FrameError('invalid', 'hello');
    }
    const { challenge } = handshake;
    await channel.send({ kind: 'challenge', ...challenge, mac: challenge.macE });
    const reveal = await channel.receive();
    if (reveal?.kind !== 'reveal') throw new FrameError('invalid', 'reveal expected');
    let secrets: LinkSecrets;
    try {
      secrets = handshake.verify({ nonceN: reveal.nonceN, macN: reveal.mac });
    } catch (err) {
      if (!(err instanceof LinkHandshakeError)) throw err;
      // Someone without the code (or a broken N): counted; three burn the code.
      code.failedMacs += 1;
      if (code.failedMacs >= (this.deps.limits?.failedMacsPerCode ?? FAILED_MACS_PER_CODE)) {
        this.fail('too-many-attempts', code);
      }
      throw new FrameError('invalid', `link ${err.failure}`);
    }
    return this.afterSas(peer, channel, code, head, secrets);
  }

  /** Both users answer; with two "yes" and N's JoinBody, E grants. */
  private async afterSas(
    peer: string,
    channel: LinkServerChannel,
    code: LiveCode,
    head: ListHead,
    secrets: LinkSecrets,
  ): Promise<void> {
    code.inUse = true;
    const answer = deferred<boolean>();
    code.answer = answer;
    this.emit({ state: 'sas', sas: secrets.sas, peer });
    const alive = keepAlive(channel, { kind: 'waiting' } as const);
    const budget: WaitBudget = { skipped: 0 };
    let userSaid: boolean | undefined;
    let join: Uint8Array | undefined;
    const fromN = nextMessage(channel, budget);
    // Left behind when E's user says "differ" first: its later failure is not unhandled.
    fromN.catch(() => undefined);
    try {
      while (userSaid === undefined || join === undefined) {
        const next = await Promise.race<{ user: boolean } | { message: LinkClientMessage | null }>([
          ...(userSaid === undefined ? [answer.promise.then((user) => ({ user }))] : []),
          ...(join === undefined ? [fromN.then((message) => ({ message }))] : []),
        ]);
        if ('user' in next) {
          userSaid = next.user;
          alive.stop();
          if (!userSaid) {
            this.fail('declined', code);
            return await this.refuse(channel, 'declined');
          }
          this.emit({ state: 'confirmed' });
          await channel.send({ kind: 'confirmed' });
        } else {
          const message = next.message;
          if (message?.kind === 'join') {
            join = message.sealed;
          } else {
            // N's user said the codes differ (cancel), or N went away.
            this.fail(message?.kind === 'cancel' ? 'declined' : 'interrupted', code);
            if (message === null || message.kind === 'cancel') return;
            throw new FrameError('invalid', 'join expected');
          }
        }
      }
    } catch (err) {
      this.fail('interrupted', code);
      throw err;
    } finally {
      alive.stop();
    }
    return this.grant(peer, channel, code, head, secrets, join);
  }

  private async grant(
    peer: string,
    channel: LinkServerChannel,
    code: LiveCode,
    head: ListHead,
    secrets: LinkSecrets,
    sealedJoin: Uint8Array,
  ): Promise<void> {
    const fromN = new LinkCipher(secrets.kN2e.slice(), 'n2e');
    let join: Uint8Array;
    try {
      join = fromN.open('join', sealedJoin);
    } catch {
      this.fail('interrupted', code);
      throw new FrameError('invalid', 'join does not open');
    }
    let body: Uint8Array;
    try {
      body = await this.deps.grant({ peer, join, head, transferId: secrets.transferId });
    } catch (err) {
      const reason = err instanceof LinkError ? err.reason : 'failed';
      this.fail(reason, code);
      return this.refuse(channel, REFUSAL_OF[reason] ?? 'failed');
    }
    // One completed pairing ends the code; the grant stays fetchable for a while.
    if (this.code === code) this.burn();
    const toN = new LinkCipher(secrets.kE2n.slice(), 'e2n');
    const frames = partsOf(body, LINK_SEALED_MAX - 16).map((part) => toN.seal('grant', part));
    toN.wipe();
    const kept: KeptGrant = {
      linkId: code.linkId,
      peer,
      resumeKey: secrets.resumeKey,
      frames,
      fromN,
      secrets,
      until: this.deps.clock() + RESUME_KEEP_MS,
    };
    this.kept.set(Buffer.from(code.linkId).toString('hex'), kept);
    this.emit({ state: 'granted', peer });
    await this.sendGrant(channel, kept);
  }

  private async sendGrant(channel: LinkServerChannel, kept: KeptGrant): Promise<void> {
    for (const [i, sealed] of kept.frames.entries()) {
      await channel.send({ kind: 'grant', sealed, last: i === kept.frames.length - 1 });
    }
    const done = await channel.receive();
    if (done === null) return; // N may come back with LinkResume.
    if (done.kind !== 'done') throw new FrameError('invalid', 'done expected');
    let headHash: Uint8Array;
    try {
      headHash = kept.fromN.open('done', done.sealed);
    } catch {
      throw new FrameError('invalid', 'done does not open');
    }
    this.kept.delete(Buffer.from(kept.linkId).toString('hex'));
    await channel.close();
    this.emit({ state: 'done', peer: kept.peer });
    this.deps.onLinked?.({
      peer: kept.peer,
      kHistory: kept.secrets.kHistory,
      transferId: kept.secrets.transferId,
      headHash,
    });
  }

  private async resume(
    peer: string,
    request: Extract<LinkClientMessage, { kind: 'resume' }>,
    channel: LinkServerChannel,
  ): Promise<void> {
    this.keptGrants();
    const kept = this.kept.get(Buffer.from(request.linkId).toString('hex'));
    if (
      kept === undefined ||
      kept.peer !== peer ||
      !sameMac(linkResumeMac(kept.resumeKey, kept.linkId, peer), request.mac)
    ) {
      return this.refuse(channel, 'code-not-live');
    }
    await this.sendGrant(channel, kept);
  }
}
