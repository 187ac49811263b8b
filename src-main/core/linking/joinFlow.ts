import type { ProfileStatus } from '../../../src-shared/contract';
import type { DevicePlatform } from '../identity/deviceListEntry';
import type { ProfileSeed } from '../profile/profileSeed';
import { errorFields, type Logger } from '../util/logger';
import { LINK_FAILURES, LinkError, type LinkFailure } from './linkFailure';
import { formatSas } from './linkKeySchedule';
import { linkThisDevice, type LinkThisDeviceOptions } from './linkThisDevice';

/**
 * "I already use Parley" in a shell (docs/protocol.md §13.5, N's side, and
 * §13.10's onboarding): one attempt at a time, driven by requests (start,
 * the user's answer to the short code, cancel) and seen through its status
 * and events. Nothing is stored unless both users confirmed the same short
 * code and the grant checked out; then the profile exists, unlocked, with
 * its history recorded to come (linkThisDevice).
 */
export type JoinState = 'idle' | 'connecting' | 'sas' | 'waiting' | 'done' | 'failed';

export interface JoinStatus {
  state: JoinState;
  /** "482 019" once connected. */
  sas: string | null;
  /** The other device's PeerId, once connected. */
  peer: string | null;
  /** The other device's user confirmed the codes match. */
  otherConfirmed: boolean;
  /** This user answered (true: match). */
  answered: boolean;
  reason: LinkFailure | 'cancelled' | null;
  message: string | null;
}

export interface JoinStart {
  codeText: string;
  deviceName: string;
  /** The default of the files choice; the user may change it when confirming the short code. */
  wantFiles: boolean;
}

export interface JoinFlowDeps {
  /** Makes the profile from the checked grant (ProfileService.create with the seed). */
  createProfile(displayName: string, seed: ProfileSeed): Promise<ProfileStatus>;
  platform: DevicePlatform;
  logger: Logger;
  /** Passed to linkThisDevice (tests: listen addresses, clock). */
  link?: Pick<LinkThisDeviceOptions, 'listen' | 'now'>;
  /** Replaces linkThisDevice (tests). */
  run?: (options: LinkThisDeviceOptions) => Promise<unknown>;
}

interface Attempt {
  cancelled: boolean;
  answer: ((match: boolean) => void) | null;
  wantFiles: boolean;
}

const IDLE: JoinStatus = {
  state: 'idle',
  sas: null,
  peer: null,
  otherConfirmed: false,
  answered: false,
  reason: null,
  message: null,
};

export class JoinFlow {
  private current: JoinStatus = IDLE;
  /** The attempt under way; an attempt left by cancel() may still end, unheard. */
  private attempt: Attempt | null = null;
  private readonly listeners = new Set<(s: JoinStatus) => void>();

  constructor(private readonly deps: JoinFlowDeps) {}

  status(): JoinStatus {
    return this.current;
  }

  on(listener: (s: JoinStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get running(): boolean {
    return (
      this.current.state === 'connecting' || this.current.state === 'sas' || this.current.state === 'waiting'
    );
  }

  /** Starts linking with the pasted code; the status moves on by events. */
  start(start: JoinStart): JoinStatus {
    if (this.running) throw new LinkError('failed');
    const attempt: Attempt = { cancelled: false, answer: null, wantFiles: start.wantFiles };
    this.attempt = attempt;
    const live = () => this.attempt === attempt && !attempt.cancelled;
    this.set({ ...IDLE, state: 'connecting' });
    const run = this.deps.run ?? linkThisDevice;
    void run({
      codeText: start.codeText,
      createProfile: this.deps.createProfile,
      deviceName: start.deviceName,
      platform: this.deps.platform,
      // Read when the JoinBody goes out, after this user's answer: the choice follows the SAS.
      wantFiles: () => attempt.wantFiles,
      confirmSas: (sas, peer) => {
        if (!live()) return Promise.resolve(false);
        this.set({ ...this.current, state: 'sas', sas: formatSas(sas), peer });
        return new Promise<boolean>((resolve) => {
          attempt.answer = resolve;
        });
      },
      onEvent: (e) => {
        if (e.state === 'other-confirmed' && live()) this.set({ ...this.current, otherConfirmed: true });
      },
      logger: this.deps.logger,
      ...this.deps.link,
    }).then(
      () => {
        if (this.attempt === attempt) this.set({ ...this.current, state: 'done' });
      },
      (err: unknown) => {
        if (!(err instanceof LinkError)) this.deps.logger.log('warn', 'link.join_failed', errorFields(err));
        if (this.attempt !== attempt || attempt.cancelled) return;
        const reason: LinkFailure = err instanceof LinkError ? err.reason : 'failed';
        this.set({
          ...this.current,
          state: 'failed',
          reason,
          message: err instanceof LinkError ? err.message : (profileProblem(err) ?? LINK_FAILURES.failed),
        });
      },
    );
    return this.current;
  }

  /** The user compared the short codes (and, confirming, chose whether files come with the history). */
  confirm(match: boolean, withFiles?: boolean): JoinStatus {
    const attempt = this.attempt;
    const answer = attempt?.answer;
    if (this.current.state !== 'sas' || !attempt || !answer) throw new LinkError('failed');
    if (!match) return this.cancel('differ');
    attempt.answer = null;
    if (withFiles !== undefined) attempt.wantFiles = withFiles;
    this.set({ ...this.current, answered: true, state: 'waiting' });
    answer(true);
    return this.current;
  }

  /**
   * The user left the screen or said the codes differ: the attempt ends here
   * at once (an open question is answered "no", which burns the code on the
   * other device); nothing is saved. Once this user confirmed, it completes.
   */
  cancel(why: 'cancelled' | 'differ' = 'cancelled'): JoinStatus {
    const attempt = this.attempt;
    if (!this.running || !attempt) {
      this.set(IDLE);
      return this.current;
    }
    if (this.current.state === 'waiting') return this.current;
    attempt.cancelled = true;
    const answer = attempt.answer;
    attempt.answer = null;
    answer?.(false);
    this.set({
      ...this.current,
      state: 'failed',
      reason: why === 'differ' ? 'declined' : 'cancelled',
      message:
        why === 'differ'
          ? 'The codes differ, so nothing was linked. Someone may have copied the code: show a new one on your other device and start again.'
          : 'Linking was cancelled. Nothing was saved on this computer.',
    });
    return this.current;
  }

  private set(next: JoinStatus): void {
    this.current = next;
    for (const l of this.listeners) l(next);
  }
}

/** A failure of the profile's creation is the core's own words (a full disk, a folder). */
function profileProblem(err: unknown): string | null {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.message;
  return null;
}
