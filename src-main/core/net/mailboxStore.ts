/**
 * Where a mailbox holder keeps envelopes deposited for its offline contacts.
 * The delivery layer backs it with the SQLite `mailbox` table (migration 0002);
 * MemoryMailboxStore is the reference implementation used in tests. The store
 * owns every policy decision: quotas, maximum TTL, whose envelopes it accepts.
 * Envelope ids are 16 raw bytes here (the table keeps them as text: convert at
 * that edge). All times are ms since the epoch, passed in so tests control them.
 */

export interface MailboxDeposit {
  /** PeerId of the device the envelope is for. */
  recipient: string;
  /** PeerId of the device that handed it over (authenticated by the transport). */
  depositor: string;
  envelopeId: Uint8Array;
  /** Sealed to the recipient: opaque here. */
  payload: Uint8Array;
  /** Requested lifetime; the store may shorten it. */
  ttlSeconds: number;
}

export type DepositStatus = 'stored' | 'quota-exceeded' | 'rejected';

export interface HeldEnvelope {
  envelopeId: Uint8Array;
  payload: Uint8Array;
  /** Opaque, increasing position: list() continues after it (a rowid in SQLite). */
  cursor: number;
}

export interface ListOptions {
  /** Return only envelopes after this cursor; null for the first page. */
  after: number | null;
  /** At most this many envelopes. */
  limit: number;
  /** Stop before exceeding this many payload bytes, but always return at least one if any. */
  maxBytes: number;
}

export interface MailboxStore {
  /**
   * Holds the envelope. Depositing the same (recipient, envelopeId) twice is
   * idempotent: the second answer is 'stored' and nothing is added.
   */
  deposit(deposit: MailboxDeposit, now: number): Promise<DepositStatus>;
  /** Unexpired envelopes for `recipient` in deposit order, after `options.after`. */
  list(
    recipient: string,
    options: ListOptions,
    now: number,
  ): Promise<{ items: HeldEnvelope[]; more: boolean }>;
  /** Deletes the recipient's envelopes with these ids; returns how many existed. */
  remove(recipient: string, envelopeIds: Uint8Array[]): Promise<number>;
  /** Drops expired envelopes; returns how many. */
  sweep(now: number): Promise<number>;
}

/** The holding policy every MailboxStore applies. */
export interface MailboxLimits {
  /** Payload bytes one depositor may have held here at once. */
  maxBytesPerDepositor: number;
  /** Envelopes one depositor may have held here at once. */
  maxItemsPerDepositor: number;
  /** Payload bytes held for everyone together. */
  maxTotalBytes: number;
  /** Requested TTLs are clamped to this. */
  maxTtlSeconds: number;
  /** Which recipients this holder keeps envelopes for (default: anyone). */
  acceptsRecipient?: (recipient: string, depositor: string) => boolean;
}

export const DEFAULT_MAILBOX_LIMITS: MailboxLimits = {
  maxBytesPerDepositor: 64 * 1024 * 1024,
  maxItemsPerDepositor: 20_000,
  maxTotalBytes: 512 * 1024 * 1024,
  maxTtlSeconds: 14 * 24 * 3600,
};

/**
 * Whether one more envelope of `size` bytes fits, given what the depositor and
 * everyone already have held (expired envelopes swept first by the caller).
 */
export function depositFits(
  limits: MailboxLimits,
  depositor: { bytes: number; items: number },
  totalBytes: number,
  size: number,
): boolean {
  return (
    depositor.bytes + size <= limits.maxBytesPerDepositor &&
    depositor.items + 1 <= limits.maxItemsPerDepositor &&
    totalBytes + size <= limits.maxTotalBytes
  );
}

/** The lifetime a holder grants: what was asked, at most its ceiling, in ms. */
export function grantedTtlMs(limits: MailboxLimits, requestedSeconds: number): number {
  return Math.min(requestedSeconds, limits.maxTtlSeconds) * 1000;
}
