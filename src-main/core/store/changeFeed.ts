import type { Db } from '../store/encryptedDatabase';

/** What changed in the store, batched: conversations whose messages changed, and whether lists changed. */
export interface StoreChanges {
  messages: Set<number>;
  conversations: boolean;
  contacts: boolean;
}

const FUNCTION = 'parley_changed';

/**
 * Watches the tables the UI shows with TEMP triggers on this connection. Why
 * triggers and not hooks in each writer: rows change from many places
 * (messaging, the outbox's state aggregation, the sweeper, repositories), and
 * a trigger sees every one of them without touching those writers. TEMP
 * triggers live only on this connection and vanish when it closes, so the
 * database file and its migrations are untouched.
 *
 * The trigger calls a JS function synchronously inside the writer's
 * transaction; changes are delivered on a timer afterwards, when that
 * (synchronous) transaction has committed. A rolled-back write may still be
 * reported: listeners only refetch, so a spare notification is harmless.
 */
export class ChangeFeed {
  private pending: StoreChanges = empty();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly onChanges: (changes: StoreChanges) => void,
    private readonly delayMs = 50,
  ) {}

  start(): void {
    this.db.function(FUNCTION, { deterministic: false, varargs: false }, (kind: unknown, id: unknown) => {
      this.record(String(kind), typeof id === 'number' || typeof id === 'bigint' ? Number(id) : null);
      return null;
    });
    const triggers: [table: string, event: string, call: string][] = [
      ['messages', 'INSERT', `'m', NEW.conversation_id`],
      ['messages', 'UPDATE', `'m', NEW.conversation_id`],
      ['messages', 'DELETE', `'m', OLD.conversation_id`],
      ['conversations', 'INSERT', `'c', NULL`],
      ['conversations', 'UPDATE', `'c', NULL`],
      ['conversations', 'DELETE', `'c', NULL`],
      ['contacts', 'INSERT', `'k', NULL`],
      ['contacts', 'UPDATE', `'k', NULL`],
      ['contacts', 'DELETE', `'k', NULL`],
      ['contact_requests', 'INSERT', `'k', NULL`],
      ['contact_requests', 'UPDATE', `'k', NULL`],
      // A conversation got its group state: created, joined, or rejoined after
      // a restore (groups/resync.ts), which makes a read-only one writable.
      ['mls_groups', 'INSERT', `'c', NULL`],
    ];
    for (const [table, event, call] of triggers) {
      const name = `parley_feed_${table}_${event.toLowerCase()}`;
      this.db.exec(
        `CREATE TEMP TRIGGER IF NOT EXISTS ${name} AFTER ${event} ON main.${table}
         BEGIN SELECT ${FUNCTION}(${call}); END`,
      );
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.db.open) return;
    for (const row of this.db
      .prepare(`SELECT name FROM temp.sqlite_master WHERE type = 'trigger' AND name LIKE 'parley_feed_%'`)
      .all() as { name: string }[]) {
      this.db.exec(`DROP TRIGGER IF EXISTS temp.${row.name}`);
    }
  }

  private record(kind: string, id: number | null): void {
    if (this.stopped) return;
    if (kind === 'm' && id !== null) {
      this.pending.messages.add(id);
      // The list shows the last message and unread counts.
      this.pending.conversations = true;
    } else if (kind === 'c') this.pending.conversations = true;
    else if (kind === 'k') this.pending.contacts = true;
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  private flush(): void {
    this.timer = null;
    const changes = this.pending;
    this.pending = empty();
    if (!this.stopped) this.onChanges(changes);
  }
}

function empty(): StoreChanges {
  return { messages: new Set(), conversations: false, contacts: false };
}
