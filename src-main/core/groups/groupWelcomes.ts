import type { ReleasedWelcome } from '../mls';
import type { GroupContext } from './groupContext';
import type { SequencerEntry } from './groupSequencers';
import { encodeWelcomeRelay, type WelcomeRelay } from './welcomeRelay';
import { encodeFrame } from './wireFrame';

/** Work a released Welcome leaves for after its transaction: the relay message to the group. */
export interface WelcomeRelaySend {
  /** Sends `relay` (a `group.welcome-relay` application message) to the conversation. */
  relayWelcome(conversationId: number, relay: Uint8Array): void;
}

/**
 * Welcomes leave only when their commit is accepted (docs/protocol.md §10):
 * queued to the new devices with the group messages they would otherwise
 * miss, and relayed through members for devices this one cannot reach
 * (welcomeRelay.ts). Both run inside the step's transaction.
 */
export class GroupWelcomes {
  constructor(
    private readonly ctx: GroupContext,
    private readonly relays: WelcomeRelaySend,
  ) {}

  release(entry: SequencerEntry, w: ReleasedWelcome, afterCommit: (() => void)[]): void {
    const { outbox, directory } = this.ctx.deps;
    const welcome = encodeFrame({ kind: 'welcome', welcome: w.welcome, ratchetTree: w.ratchetTree });
    for (const recipient of w.recipients) {
      const enqueue = (payload: Uint8Array) =>
        outbox.enqueue({ conversationId: entry.conversationId, messageId: null, recipient, payload });
      enqueue(welcome);
      for (const payload of entry.pending.backlog) enqueue(payload);
    }
    entry.pending.backlog = [];
    entry.pendingDirty = true;
    // A device added on a member's proposal may be unknown here (not our
    // contact: no address, no relay list, and it does not accept us yet).
    // The members who have it as a contact pass the Welcome on (welcomeRelay.ts).
    const strangers = w.recipients.filter((p) => !directory.isHolder(p));
    if (strangers.length > 0) {
      const relay = encodeWelcomeRelay({ to: strangers, welcome: w.welcome, ratchetTree: w.ratchetTree });
      const id = entry.conversationId;
      afterCommit.push(() => this.relays.relayWelcome(id, relay));
    }
  }

  /** A Welcome another member asks us to pass on to our contacts' devices. In the transaction. */
  passOn(relay: WelcomeRelay): void {
    const { outbox, directory } = this.ctx.deps;
    const frame = encodeFrame({ kind: 'welcome', welcome: relay.welcome, ratchetTree: relay.ratchetTree });
    for (const recipient of relay.to) {
      if (!directory.isHolder(recipient)) continue;
      // Outside the conversation's queue: our group messages to that device,
      // queued since the commit, cannot be read before this Welcome.
      outbox.enqueue({ conversationId: null, messageId: null, recipient, payload: frame });
    }
  }
}
