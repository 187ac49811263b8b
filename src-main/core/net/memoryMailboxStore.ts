import {
  DEFAULT_MAILBOX_LIMITS,
  depositFits,
  grantedTtlMs,
  type DepositStatus,
  type HeldEnvelope,
  type ListOptions,
  type MailboxDeposit,
  type MailboxLimits,
  type MailboxStore,
} from './mailboxStore';

/**
 * MailboxStore in memory, with the policy every store applies (mailboxStore.ts):
 * per-depositor byte and count quotas, a total byte quota, a TTL ceiling, and
 * an optional rule for which recipients this holder accepts.
 */
export type MemoryMailboxOptions = MailboxLimits;
export const DEFAULT_MAILBOX_OPTIONS = DEFAULT_MAILBOX_LIMITS;

interface Entry {
  key: string;
  recipient: string;
  depositor: string;
  envelopeId: Uint8Array;
  payload: Uint8Array;
  expiresAt: number;
  cursor: number;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export class MemoryMailboxStore implements MailboxStore {
  private readonly options: MemoryMailboxOptions;
  /** Insertion order is cursor order, which list() relies on. */
  private readonly entries = new Map<string, Entry>();
  private readonly usage = new Map<string, { bytes: number; items: number }>();
  private totalBytes = 0;
  private nextCursor = 1;
  /** No entry expires before this: sweep() is free until then. */
  private nextExpiry = Infinity;

  constructor(options: Partial<MemoryMailboxOptions> = {}) {
    this.options = { ...DEFAULT_MAILBOX_OPTIONS, ...options };
  }

  async deposit(d: MailboxDeposit, now: number): Promise<DepositStatus> {
    if (this.options.acceptsRecipient?.(d.recipient, d.depositor) === false) return 'rejected';
    if (d.ttlSeconds <= 0 || d.payload.length === 0) return 'rejected';
    const key = `${d.recipient}/${hex(d.envelopeId)}`;
    const existing = this.entries.get(key);
    if (existing !== undefined && existing.expiresAt > now) return 'stored';
    if (existing !== undefined) this.delete(existing);
    // Expired envelopes should not count against anyone's quota.
    await this.sweep(now);
    const usage = this.usage.get(d.depositor) ?? { bytes: 0, items: 0 };
    const size = d.payload.length;
    if (!depositFits(this.options, usage, this.totalBytes, size)) return 'quota-exceeded';
    const entry: Entry = {
      key,
      recipient: d.recipient,
      depositor: d.depositor,
      envelopeId: Uint8Array.from(d.envelopeId),
      payload: Uint8Array.from(d.payload),
      expiresAt: now + grantedTtlMs(this.options, d.ttlSeconds),
      cursor: this.nextCursor++,
    };
    this.entries.set(key, entry);
    this.nextExpiry = Math.min(this.nextExpiry, entry.expiresAt);
    this.usage.set(d.depositor, { bytes: usage.bytes + size, items: usage.items + 1 });
    this.totalBytes += size;
    return 'stored';
  }

  async list(
    recipient: string,
    options: ListOptions,
    now: number,
  ): Promise<{ items: HeldEnvelope[]; more: boolean }> {
    const items: HeldEnvelope[] = [];
    let bytes = 0;
    for (const e of this.entries.values()) {
      if (e.recipient !== recipient || e.expiresAt <= now) continue;
      if (options.after !== null && e.cursor <= options.after) continue;
      const full =
        items.length >= options.limit || (items.length > 0 && bytes + e.payload.length > options.maxBytes);
      if (full) return { items, more: true };
      items.push({ envelopeId: e.envelopeId, payload: e.payload, cursor: e.cursor });
      bytes += e.payload.length;
    }
    return { items, more: false };
  }

  async remove(recipient: string, envelopeIds: Uint8Array[]): Promise<number> {
    let removed = 0;
    for (const id of envelopeIds) {
      const entry = this.entries.get(`${recipient}/${hex(id)}`);
      if (entry === undefined) continue;
      this.delete(entry);
      removed += 1;
    }
    return removed;
  }

  async sweep(now: number): Promise<number> {
    if (now < this.nextExpiry) return 0;
    let dropped = 0;
    let nextExpiry = Infinity;
    for (const e of this.entries.values()) {
      if (e.expiresAt <= now) {
        this.delete(e);
        dropped += 1;
      } else {
        nextExpiry = Math.min(nextExpiry, e.expiresAt);
      }
    }
    this.nextExpiry = nextExpiry;
    return dropped;
  }

  /** Bytes and envelopes held (for tests and diagnostics). */
  stats(): { items: number; bytes: number } {
    return { items: this.entries.size, bytes: this.totalBytes };
  }

  private delete(e: Entry): void {
    this.entries.delete(e.key);
    this.totalBytes -= e.payload.length;
    const usage = this.usage.get(e.depositor);
    if (usage === undefined) return;
    const next = { bytes: usage.bytes - e.payload.length, items: usage.items - 1 };
    if (next.items <= 0) this.usage.delete(e.depositor);
    else this.usage.set(e.depositor, next);
  }
}
