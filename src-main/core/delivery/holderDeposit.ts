import { BoxSealer } from '../crypto/sealedBox';
import { MAX_ENVELOPE_PAYLOAD } from '../net/limits';
import type { MailboxStore } from '../net/mailboxStore';
import { peerTag } from '../net/protocolService';
import type { Durability } from '../store/durability';
import { errorFields, type Logger } from '../util/logger';
import type { DeliveryDirectory, MailboxNet } from './deliveryPorts';
import type { DeliveryOptions } from './deliveryOptions';
import type { Outbox, OutboxItem } from './outbox';
import { sealEnvelope } from './sealedEnvelope';

/** Deposit watermarks kept (see depositedUpTo); beyond that they start over. */
const MAX_DEPOSIT_MARKS = 4_096;

export interface HolderDepositDeps {
  net: MailboxNet;
  directory: Pick<DeliveryDirectory, 'sealPublicKey' | 'relaysOf'>;
  outbox: Outbox;
  /** What this device holds for others: a deposit with ourselves goes straight in. */
  mailboxStore: Pick<MailboxStore, 'deposit'>;
  durability: Pick<Durability, 'sync'>;
  options: Pick<DeliveryOptions, 'maxRemoteHolders' | 'ttlSeconds'>;
  /** The deadline of one request (the send timeout, or stop()). */
  deadline: () => AbortSignal;
  logger: Logger;
  now: () => number;
}

/**
 * Store-and-forward, the sending half (DESIGN.md §2 delivery): an envelope
 * whose recipient cannot be reached is sealed to the recipient's X-Wing seal
 * key and deposited with the holders the recipient named (its relay list):
 * with this device when it is one of them, and with up to
 * `maxRemoteHolders` connected others.
 */
export class HolderDeposit {
  /**
   * Per (recipient, conversation, holder): the outbox row up to which that
   * holder is known to hold every held envelope of the queue (in memory;
   * after a restart the first deposit looks at the whole queue once).
   */
  private readonly depositedUpTo = new Map<string, number>();
  /**
   * Seals what we deposit, one KEM encapsulation per recipient session (this
   * device's own: never shared with another profile), so the recipient
   * decapsulates once per session when it catches up, not once per envelope.
   */
  private readonly sealer: BoxSealer;

  constructor(private readonly deps: HolderDepositDeps) {
    this.sealer = new BoxSealer({ now: deps.now });
  }

  /** Forgets the session keys (after stop: no seal runs any more). */
  clear(): void {
    this.sealer.clear();
  }

  /**
   * Seals and deposits with the recipient's holders; returns who stored it
   * (remote ones first). A holder gets this envelope only after it holds
   * every earlier held envelope of the same queue (they are deposited with it
   * first), so whichever holder the recipient fetches from first hands the
   * queue over in order.
   */
  async deposit(item: OutboxItem): Promise<string[]> {
    const { net, directory } = this.deps;
    const key = directory.sealPublicKey(item.recipient);
    if (!key) return [];
    // As before a send: what a holder gets must already be on our disk.
    this.deps.durability.sync();
    const relays = directory.relaysOf(item.recipient).filter((r) => r !== item.recipient);
    const candidates = [
      ...relays.filter((r) => r !== net.peerId && net.isConnected(r)),
      ...(relays.includes(net.peerId) ? [net.peerId] : []),
    ];
    const stored: string[] = [];
    let remote = 0;
    // One sealed copy per envelope for all its holders: sealing (a KEM
    // encapsulation) costs more than a deposit, and holders learn nothing more
    // from the same ciphertext than from the same envelope id they see anyway.
    const sealed = new Map<number, Uint8Array>();
    for (const holder of candidates) {
      const isSelf = holder === net.peerId;
      if (!isSelf && remote >= this.deps.options.maxRemoteHolders) continue;
      let complete = true;
      // Only those not with this holder yet (usually none), and only after
      // the point up to which it is known to have the whole queue: looking
      // at every earlier held envelope per deposit was quadratic in a long
      // queue (an offline contact's backlog).
      const mark = `${item.recipient}\n${item.conversationId ?? ''}\n${holder}`;
      const earlier = this.deps.outbox.heldBefore(item, holder, this.depositedUpTo.get(mark) ?? 0);
      for (const previous of earlier) {
        if (previous.depositedWith.includes(holder)) continue;
        if ((await this.depositAt(holder, key, previous, sealed)) !== 'stored') {
          complete = false;
          break;
        }
        this.deps.outbox.addHolder(previous, holder);
      }
      if (!complete) continue;
      if ((await this.depositAt(holder, key, item, sealed)) === 'stored') {
        stored.push(holder);
        if (!isSelf) remote++;
        // Every held envelope of the queue up to this one is with this holder
        // now: earlier ones only ever gain holders (markHeld, addHolder).
        if (this.depositedUpTo.size >= MAX_DEPOSIT_MARKS) this.depositedUpTo.clear();
        this.depositedUpTo.set(mark, item.rowId);
      }
    }
    return stored;
  }

  private async depositAt(
    holder: string,
    key: Uint8Array,
    item: OutboxItem,
    sealedCopies: Map<number, Uint8Array>,
  ): Promise<'stored' | 'quota-exceeded' | 'rejected' | 'failed'> {
    const { net } = this.deps;
    let sealed = sealedCopies.get(item.rowId);
    if (sealed === undefined) {
      sealed = sealEnvelope(key, item.recipient, item.envelopeId, net.peerId, item.payload, this.sealer);
      sealedCopies.set(item.rowId, sealed);
    }
    if (sealed.length > MAX_ENVELOPE_PAYLOAD) return 'rejected';
    const request = {
      recipient: item.recipient,
      envelopeId: item.envelopeId,
      payload: sealed,
      ttlSeconds: this.deps.options.ttlSeconds,
    };
    if (holder === net.peerId) {
      return this.deps.mailboxStore.deposit({ ...request, depositor: net.peerId }, this.deps.now());
    }
    try {
      return await net.services.mailbox.deposit(holder, request, {
        signal: this.deps.deadline(),
      });
    } catch (err) {
      this.deps.logger.log('debug', 'delivery.deposit_failed', {
        peer: peerTag(holder),
        ...errorFields(err),
      });
      return 'failed';
    }
  }
}
