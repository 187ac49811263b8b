import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { deliveryMigrations } from './schema';
import { SqliteMailboxStore } from './sqliteMailboxStore';
import { MailboxRepository } from '../store/repositories/mailboxRepository';
import { Transactor } from '../store/transactor';

const id = (n: number): Uint8Array => new Uint8Array(16).fill(n);
const bytes = (n: number): Uint8Array => new Uint8Array(n).fill(1);
const deposit = (n: number, size = 10, depositor = 'd1', ttlSeconds = 60) => ({
  recipient: 'r',
  depositor,
  envelopeId: id(n),
  payload: bytes(size),
  ttlSeconds,
});
const all = { after: null, limit: 10, maxBytes: 1e6 };

let t: TempDatabase;
beforeEach(() => {
  t = tempDatabase(deliveryMigrations);
});
afterEach(() => t.dispose());

describe('SqliteMailboxStore', () => {
  it('stores idempotently, lists in order with paging, removes on ack', async () => {
    const s = new SqliteMailboxStore(new MailboxRepository(t.db), new Transactor(t.db));
    for (let i = 0; i < 5; i++) expect(await s.deposit(deposit(i), 0)).toBe('stored');
    expect(await s.deposit(deposit(0), 0)).toBe('stored');
    expect(s.stats().items).toBe(5);
    const page1 = await s.list('r', { after: null, limit: 3, maxBytes: 1000 }, 0);
    expect(page1.items.map((i) => i.envelopeId[0])).toEqual([0, 1, 2]);
    expect(page1.more).toBe(true);
    const page2 = await s.list('r', { after: page1.items[2]?.cursor ?? 0, limit: 3, maxBytes: 1000 }, 0);
    expect(page2.items.map((i) => i.envelopeId[0])).toEqual([3, 4]);
    expect(page2.more).toBe(false);
    expect(await s.remove('r', [id(0), id(1), id(9)])).toBe(2);
    expect(await s.remove('someone else', [id(2)])).toBe(0);
    expect(s.stats().items).toBe(3);
  });

  it('bounds a page by bytes but always returns at least one', async () => {
    const s = new SqliteMailboxStore(new MailboxRepository(t.db), new Transactor(t.db));
    await s.deposit(deposit(1, 600), 0);
    await s.deposit(deposit(2, 600), 0);
    const page = await s.list('r', { after: null, limit: 10, maxBytes: 500 }, 0);
    expect(page.items).toHaveLength(1);
    expect(page.more).toBe(true);
  });

  it('enforces per-depositor (bytes, items) and total quotas', async () => {
    const s = new SqliteMailboxStore(new MailboxRepository(t.db), new Transactor(t.db), {
      maxBytesPerDepositor: 25,
      maxItemsPerDepositor: 3,
      maxTotalBytes: 40,
    });
    expect(await s.deposit(deposit(1, 10), 0)).toBe('stored');
    expect(await s.deposit(deposit(2, 10), 0)).toBe('stored');
    expect(await s.deposit(deposit(3, 10), 0)).toBe('quota-exceeded');
    expect(await s.deposit(deposit(4, 10, 'd2'), 0)).toBe('stored');
    expect(await s.deposit(deposit(5, 15, 'd3'), 0)).toBe('quota-exceeded');
    await s.remove('r', [id(1)]);
    expect(await s.deposit(deposit(3, 10), 0)).toBe('stored');
    const few = new SqliteMailboxStore(new MailboxRepository(t.db), new Transactor(t.db), {
      maxItemsPerDepositor: 1,
    });
    expect(await few.deposit(deposit(7, 1, 'd4'), 0)).toBe('stored');
    expect(await few.deposit(deposit(8, 1, 'd4'), 0)).toBe('quota-exceeded');
  });

  it('expires by TTL (clamped to the maximum) and frees the quota', async () => {
    const s = new SqliteMailboxStore(new MailboxRepository(t.db), new Transactor(t.db), {
      maxTtlSeconds: 10,
      maxItemsPerDepositor: 1,
    });
    expect(await s.deposit(deposit(1, 10, 'd1', 1_000_000), 0)).toBe('stored');
    expect((await s.list('r', all, 9_999)).items).toHaveLength(1);
    expect((await s.list('r', all, 10_000)).items).toHaveLength(0);
    expect(await s.deposit(deposit(2, 10, 'd1'), 10_000)).toBe('stored');
    expect(await s.sweep(1e9)).toBe(1);
    expect(s.stats()).toEqual({ items: 0, bytes: 0 });
  });

  it('rejects recipients it does not hold for, empty payloads and bad TTLs', async () => {
    const s = new SqliteMailboxStore(new MailboxRepository(t.db), new Transactor(t.db), {
      acceptsRecipient: (r) => r === 'friend',
    });
    expect(await s.deposit(deposit(1), 0)).toBe('rejected');
    const open = new SqliteMailboxStore(new MailboxRepository(t.db), new Transactor(t.db));
    expect(await open.deposit(deposit(1, 0), 0)).toBe('rejected');
    expect(await open.deposit(deposit(1, 1, 'd1', 0), 0)).toBe('rejected');
  });

  it('keeps what it holds across a reopen of the database', async () => {
    await new SqliteMailboxStore(new MailboxRepository(t.db), new Transactor(t.db)).deposit(deposit(1, 5), 0);
    const again = new SqliteMailboxStore(new MailboxRepository(t.db), new Transactor(t.db));
    const { items } = await again.list('r', all, 1);
    expect(items.map((i) => [i.envelopeId[0], i.payload.length])).toEqual([[1, 5]]);
  });
});
