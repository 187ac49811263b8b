import type { DeliverProtocol, InboundEnvelope } from '../net/deliverProtocol';
import type { MailboxProtocol } from '../net/mailboxProtocol';
import type { PeerEvent } from '../net/parleyNode';

/**
 * What delivery asks of the rest of the core, as interfaces it owns: where
 * inbound envelopes go (messaging's sink), the network node, and what is
 * known of other devices (contacts/directory.ts). Nothing here calls up.
 */

/** Where an inbound envelope came from: 'direct', or the PeerId of the holder that kept it. */
export type Via = 'direct' | { holder: string };

export interface InboundSink {
  /**
   * Processes one envelope; must call `markSeen()` inside the transaction that
   * commits its effects. 'duplicate' and 'rejected' are marked seen here.
   * Throw for a transient failure (it will be offered again); a sink that
   * throws must have written nothing (write inside one transaction (store.tx.run), which
   * undoes its writes when it throws).
   *
   * The "transaction" may be nested in delivery's batch transaction (group
   * commit, see DeliveryService): a transaction is then already open (store.tx.active),
   * and what it wrote is on disk only once the batch committed.
   */
  receive(
    envelope: InboundEnvelope & { via: Via },
    markSeen: () => void,
  ): Promise<'accepted' | 'duplicate' | 'rejected'>;
  /**
   * Called when a batch transaction rolled back instead of committing (a
   * storage failure: disk full, I/O error). Everything `receive()` wrote
   * during the batch is gone: drop every in-memory copy of state read or
   * written since the batch began (MLS group states, sequencer caches), so
   * the next envelope starts again from the database. None of the batch's
   * envelopes was acked; their senders offer them again.
   */
  rolledBack?(): void;
  /**
   * A batch transaction begins (`batchEnded` always follows, after its COMMIT
   * or ROLLBACK): what `receive()` writes until then is on disk only if it
   * ends committed.
   */
  batchStarted?(): void;
  batchEnded?(committed: boolean): void;
}

/** What delivery needs from the network node (a ParleyNode fits). */
export interface DeliveryNet {
  readonly peerId: string;
  /** The node's protocol services (net/parleyProtocols.ts) delivery uses. */
  readonly services: {
    readonly deliver: Pick<DeliverProtocol, 'sendMany'>;
    readonly mailbox: Pick<MailboxProtocol, 'deposit' | 'fetch' | 'ack'>;
  };
  isConnected(peer: string): boolean;
  connectedPeers(): string[];
  onPeer(listener: (event: PeerEvent) => void): () => void;
}

/** The part of DeliveryNet that talks to holders' mailboxes. */
export type MailboxNet = Pick<DeliveryNet, 'peerId' | 'isConnected'> & {
  readonly services: Pick<DeliveryNet['services'], 'mailbox'>;
};

/** What delivery needs to know about other devices (messaging keeps it). */
export interface DeliveryDirectory {
  /** The device's X-Wing seal public key, or null when we do not know it yet. */
  sealPublicKey(peer: string): Uint8Array | null;
  /** The holders the device asked its contacts to deposit with. */
  relaysOf(peer: string): string[];
  /** Whether this peer may hold envelopes for us (we fetch from it). */
  isHolder(peer: string): boolean;
}
