import { ParleyError } from '../../errors';
import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';
import { parseSystemEvent } from '../systemEvent';
import { systemEventView } from '../systemEventView';
import { resyncWaiting } from './resyncWaiting';
import type { ReadOnlyReason, RestoreWaiting } from '../../../../src-shared/contract';
import type { ConversationKind, ConversationSummary, NotifyMode } from './types';

interface SummaryRow {
  id: number;
  kind: ConversationKind;
  title: string;
  last_activity_at: number;
  unread_count: number;
  notify: NotifyMode;
  disappear_after_ms: number | null;
  m_id: number | null;
  m_body: string | null;
  m_sent_at: number | null;
  m_outgoing: number | null;
  m_deleted_at: number | null;
  m_kind: string | null;
  m_event: string | null;
  ro_reason: ReadOnlyRow | null;
}

/** Why a conversation can no longer be written to, as the summary query names it (see `readOnlyReason`). */
type ReadOnlyRow = 'left' | 'removed' | 'replaced' | 'dm_closed' | 'blocked' | 'contact_removed';

/**
 * The settings key groups/resync.ts keeps the conversations restored from a
 * backup in, as JSON `[{ "id": conversationId, "groupId": hex }]`, until they
 * were rejoined. Read here directly (the store layer does not import
 * messaging); repositories.test.ts writes it through resync.ts so the two agree.
 */
const RESYNC_PENDING_KEY = 'mls.resync_pending';

const PREVIEW_CHARS = 120;

/**
 * Why the conversation is read-only, computed in the list query itself (the
 * home list is benchmarked at 100k messages: no query per row). left_at is
 * set both when this device left and when a commit removed it; groupOps.ts
 * records the difference only as system rows, so the uid prefixes it writes
 * tell them apart: \`sys:<id>:left:<at>\` ("You left") and
 * \`sys:<id>:<epoch>:replaced\` (another device took over our leaf after a
 * restore, RFC 9420 §12.4.3.2). Both lookups are range scans on the unique
 * uid index, bounded by \`sys:<id>:\` … \`sys:<id>;\` (';' sorts right after
 * ':'), and run only for conversations that were left.
 */
const READ_ONLY_REASON = `CASE
    WHEN c.left_at IS NOT NULL THEN CASE
      WHEN EXISTS (SELECT 1 FROM messages x WHERE x.uid >= 'sys:' || c.id || ':left:'
                   AND x.uid < 'sys:' || c.id || ':left;') THEN 'left'
      WHEN EXISTS (SELECT 1 FROM messages x WHERE x.uid >= 'sys:' || c.id || ':'
                   AND x.uid < 'sys:' || c.id || ';' AND x.uid LIKE '%:replaced') THEN 'replaced'
      WHEN c.kind = 'dm' THEN 'dm_closed'
      ELSE 'removed' END
    WHEN c.kind = 'dm' AND k.blocked = 1 THEN 'blocked'
    WHEN c.kind = 'dm' AND k.removed_at IS NOT NULL THEN 'contact_removed'
  END`;

const SUMMARY_SELECT = `
  SELECT c.id, c.kind,
    coalesce(CASE WHEN c.kind = 'group' THEN c.name END, k.local_name, k.display_name, c.name, 'Unknown') AS title,
    c.last_activity_at, c.unread_count, c.notify, c.disappear_after_ms,
    m.id AS m_id, substr(m.body, 1, ${PREVIEW_CHARS}) AS m_body, m.sent_at AS m_sent_at,
    m.outgoing AS m_outgoing, m.deleted_at AS m_deleted_at, m.kind AS m_kind, m.event AS m_event,
    ${READ_ONLY_REASON} AS ro_reason
  FROM conversations c
  LEFT JOIN contacts k ON k.id = c.contact_id
  LEFT JOIN messages m ON m.id = c.last_message_id`;

export interface NewConversation {
  kind: ConversationKind;
  name?: string | null;
  contactId?: number | null;
  groupId?: Buffer | null;
  ciphersuite?: number | null;
  createdAt: number;
  /** The person's self group (issue 18, §13.6): never listed, searched, counted or notified. */
  selfGroup?: boolean;
}

/** Conversations: the home list (ordered by activity), read markers, per-conversation settings. */
/** What the info panel shows of a conversation. */
export interface ConversationDetails {
  id: number;
  kind: ConversationKind;
  name: string | null;
  ciphersuite: number | null;
  createdAt: number;
  leftAt: number | null;
  contactName: string | null;
}

export class ConversationRepository {
  private readonly insertStmt;
  private readonly listStmt;
  private readonly filterStmt;
  private readonly getStmt;
  private readonly totalUnreadStmt;
  private readonly resyncStmt;
  private readonly readStateStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO conversations (kind, name, contact_id, group_id, ciphersuite, created_at, last_activity_at, self_group)
       VALUES (@kind, @name, @contactId, @groupId, @ciphersuite, @createdAt, @createdAt, @selfGroup)`,
    );
    this.listStmt = db.prepare(
      `${SUMMARY_SELECT} WHERE c.archived = 0 AND c.self_group = 0 ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?`,
    );
    this.filterStmt = db.prepare(
      `SELECT * FROM (${SUMMARY_SELECT} WHERE c.archived = 0 AND c.self_group = 0)
       WHERE instr(lower(title), lower(?)) > 0 ORDER BY last_activity_at DESC, id DESC LIMIT ?`,
    );
    this.getStmt = db.prepare(`${SUMMARY_SELECT} WHERE c.id = ?`);
    this.resyncStmt = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.readStateStmt = db.prepare(
      'SELECT unread_count AS count, last_read_message_id AS lastReadMessageId FROM conversations WHERE id = ?',
    );
    this.totalUnreadStmt = db.prepare(
      `SELECT coalesce(sum(unread_count), 0) AS n FROM conversations WHERE archived = 0 AND notify != 'muted' AND self_group = 0`,
    );
  }

  create(c: NewConversation): number {
    const info = this.insertStmt.run({
      kind: c.kind,
      name: c.name ?? null,
      contactId: c.contactId ?? null,
      groupId: c.groupId ?? null,
      ciphersuite: c.ciphersuite ?? null,
      createdAt: c.createdAt,
      selfGroup: c.selfGroup === true ? 1 : 0,
    });
    return Number(info.lastInsertRowid);
  }

  /** The self groups this device is in and has not left, lowest group id first (§13.6). */
  selfGroups(): { id: number; groupId: Buffer }[] {
    return prepared(
      this.db,
      `SELECT id, group_id AS groupId FROM conversations
       WHERE self_group = 1 AND left_at IS NULL AND group_id IS NOT NULL ORDER BY group_id`,
    ).all() as { id: number; groupId: Buffer }[];
  }

  isSelfGroup(id: number): boolean {
    return (
      prepared(this.db, 'SELECT 1 FROM conversations WHERE id = ? AND self_group = 1').get(id) !== undefined
    );
  }

  /** The conversation of an MLS group id, self groups left out (what sync messages name). */
  byGroupId(groupId: Uint8Array): number | null {
    const r = prepared(this.db, 'SELECT id FROM conversations WHERE group_id = ? AND self_group = 0').get(
      Buffer.from(groupId),
    ) as { id: number } | undefined;
    return r?.id ?? null;
  }

  groupIdOf(id: number): Buffer | null {
    const r = prepared(this.db, 'SELECT group_id FROM conversations WHERE id = ?').get(id) as
      { group_id: Buffer | null } | undefined;
    return r?.group_id ?? null;
  }

  /** The home list, most recent activity first; `filter` matches the title, case-insensitively. */
  list(options: { filter?: string; limit?: number } = {}): ConversationSummary[] {
    const limit = Math.min(Math.max(options.limit ?? 500, 1), 5000);
    const filter = options.filter?.trim();
    const rows = (filter ? this.filterStmt.all(filter, limit) : this.listStmt.all(limit)) as SummaryRow[];
    const resyncing = this.awaitingResync();
    const self = this.selfHex();
    return rows.map((r) => toSummary(r, this.resyncText(resyncing), self));
  }

  get(id: number): ConversationSummary {
    const row = this.getStmt.get(id) as SummaryRow | undefined;
    if (!row) throw new ParleyError('INVALID_PARAMS', 'That conversation does not exist.');
    return toSummary(row, this.resyncText(this.awaitingResync()), this.selfHex());
  }

  /** This profile's identity key (hex): system events name this user as "You". */
  private selfHex(): string | undefined {
    const r = this.db.prepare('SELECT public_key FROM identity WHERE id = 1').get() as
      { public_key: Buffer } | undefined;
    return r?.public_key.toString('hex');
  }

  /** What each conversation awaiting a resync waits for (only those: a few queries at most). */
  private resyncText(resyncing: ReadonlySet<number>): (id: number) => RestoreWaiting | null {
    return (id) => (resyncing.has(id) ? resyncWaiting(this.db, id) : null);
  }

  /**
   * Conversations restored from a backup that wait for a rejoin
   * (groups/resync.ts): read once per call. A marker that does not parse
   * marks nothing (resync.ts reads it the same way), so a damaged setting
   * never hides the list.
   */
  private awaitingResync(): ReadonlySet<number> {
    const row = this.resyncStmt.get(RESYNC_PENDING_KEY) as { value: string } | undefined;
    if (!row) return EMPTY_SET;
    try {
      const parsed: unknown = JSON.parse(row.value);
      if (!Array.isArray(parsed)) return EMPTY_SET;
      const ids = new Set<number>();
      for (const g of parsed as unknown[]) {
        const id = typeof g === 'object' && g !== null ? (g as { id?: unknown }).id : undefined;
        if (typeof id === 'number' && Number.isInteger(id)) ids.add(id);
      }
      return ids;
    } catch {
      return EMPTY_SET;
    }
  }

  /**
   * Where the conversation's reading stands: the unread count and the read
   * marker (messages with a larger id are unread). messages.page returns it
   * with each page, in the same synchronous read, so the chat's "unread"
   * marker always agrees with the rows it shows. Zeros for an unknown id.
   */
  readState(conversationId: number): { count: number; lastReadMessageId: number } {
    const row = this.readStateStmt.get(conversationId) as
      { count: number; lastReadMessageId: number } | undefined;
    return row ?? { count: 0, lastReadMessageId: 0 };
  }

  /** Unread messages across conversations that are not muted: the window title and the dock badge. */
  totalUnread(): number {
    return (this.totalUnreadStmt.get() as { n: number }).n;
  }

  /**
   * Marks incoming messages read up to `messageId` (default: all). The count
   * left is recomputed from the rows, so it stays right whatever the order of
   * reads and arrivals.
   */
  markRead(conversationId: number, messageId?: number): number {
    return this.db.transaction(() => {
      const upTo =
        messageId ??
        (
          this.db
            .prepare('SELECT coalesce(max(id), 0) AS id FROM messages WHERE conversation_id = ?')
            .get(conversationId) as { id: number }
        ).id;
      this.db
        .prepare('UPDATE conversations SET last_read_message_id = max(last_read_message_id, ?) WHERE id = ?')
        .run(upTo, conversationId);
      const { n } = this.db
        .prepare(
          `SELECT count(*) AS n FROM messages WHERE conversation_id = ? AND outgoing = 0 AND kind != 'system'
           AND id > (SELECT last_read_message_id FROM conversations WHERE id = ?)`,
        )
        .get(conversationId, conversationId) as { n: number };
      this.db.prepare('UPDATE conversations SET unread_count = ? WHERE id = ?').run(n, conversationId);
      return n;
    })();
  }

  setNotify(conversationId: number, mode: NotifyMode): void {
    this.db.prepare('UPDATE conversations SET notify = ? WHERE id = ?').run(mode, conversationId);
  }

  rename(conversationId: number, name: string): void {
    this.db.prepare('UPDATE conversations SET name = ? WHERE id = ?').run(name, conversationId);
  }

  /** A conversation's kind and, for a DM, its contact; null for an unknown id. */
  kindOf(conversationId: number): { kind: ConversationKind; contactId: number | null } | null {
    const r = this.db
      .prepare(`SELECT kind, contact_id FROM conversations WHERE id = ?`)
      .get(conversationId) as { kind: ConversationKind; contact_id: number | null } | undefined;
    return r ? { kind: r.kind, contactId: r.contact_id } : null;
  }

  /** A conversation's facts for its info panel (the DM contact's name too); null for an unknown id. */
  details(conversationId: number): ConversationDetails | null {
    const r = this.db
      .prepare(
        `SELECT c.id, c.kind, c.name, c.ciphersuite, c.created_at, c.left_at,
                coalesce(k.local_name, k.display_name) AS contact_name
         FROM conversations c LEFT JOIN contacts k ON k.id = c.contact_id WHERE c.id = ?`,
      )
      .get(conversationId) as
      | {
          id: number;
          kind: ConversationKind;
          name: string | null;
          ciphersuite: number | null;
          created_at: number;
          left_at: number | null;
          contact_name: string | null;
        }
      | undefined;
    return r
      ? {
          id: r.id,
          kind: r.kind,
          name: r.name,
          ciphersuite: r.ciphersuite,
          createdAt: r.created_at,
          leftAt: r.left_at,
          contactName: r.contact_name,
        }
      : null;
  }

  /** Conversations with unread messages. */
  withUnread(): number[] {
    return (
      this.db.prepare('SELECT id FROM conversations WHERE unread_count > 0').all() as { id: number }[]
    ).map((r) => r.id);
  }

  /** A DM's contact as far as sending goes (blocked, removed, its name); null when it is no DM. */
  dmContact(conversationId: number): { blocked: boolean; removedAt: number | null; name: string } | null {
    const r = prepared(
      this.db,
      `SELECT c.blocked, c.removed_at, coalesce(c.local_name, c.display_name) AS name
         FROM conversations v JOIN contacts c ON c.id = v.contact_id
         WHERE v.id = ? AND v.kind = 'dm'`,
    ).get(conversationId) as { blocked: number; removed_at: number | null; name: string } | undefined;
    return r ? { blocked: r.blocked === 1, removedAt: r.removed_at, name: r.name } : null;
  }

  /** The contact's DM to open: one not left first, then the most recently active. */
  dmOfContact(contactId: number): number | null {
    const r = this.db
      .prepare(
        `SELECT id FROM conversations WHERE kind = 'dm' AND contact_id = ?
         ORDER BY left_at IS NOT NULL, last_activity_at DESC, id DESC LIMIT 1`,
      )
      .get(contactId) as { id: number } | undefined;
    return r?.id ?? null;
  }

  /** DMs not left, by contact id (the last one wins where a contact has several). */
  openDmsByContact(): Map<number | null, number> {
    return new Map(
      (
        this.db
          .prepare(`SELECT id, contact_id FROM conversations WHERE kind = 'dm' AND left_at IS NULL`)
          .all() as {
          id: number;
          contact_id: number | null;
        }[]
      ).map((r) => [r.contact_id, r.id]),
    );
  }

  /** New messages expire this long after they are sent; null turns the timer off. Older messages keep theirs. */
  setDisappearing(conversationId: number, afterMs: number | null): void {
    this.db
      .prepare('UPDATE conversations SET disappear_after_ms = ? WHERE id = ?')
      .run(afterMs, conversationId);
  }

  disappearAfter(conversationId: number): number | null {
    const row = this.db
      .prepare('SELECT disappear_after_ms AS ms FROM conversations WHERE id = ?')
      .get(conversationId) as { ms: number | null } | undefined;
    if (!row) throw new ParleyError('INVALID_PARAMS', 'That conversation does not exist.');
    return row.ms;
  }
}

const EMPTY_SET: ReadonlySet<number> = new Set();

/**
 * Why the chat shows a notice instead of the composer (null: writable), as
 * data; the renderer words it (features/chat/readOnlyWords.ts, issue 16 item 5).
 */
function readOnlyReason(
  r: SummaryRow,
  resyncing: (id: number) => RestoreWaiting | null,
): ReadOnlyReason | null {
  switch (r.ro_reason) {
    case 'dm_closed':
      return { kind: 'dmClosed' };
    case 'contact_removed':
      return { kind: 'contactRemoved' };
    case null:
      return resyncing(r.id);
    default:
      return { kind: r.ro_reason };
  }
}

function toSummary(
  r: SummaryRow,
  resyncing: (id: number) => RestoreWaiting | null,
  selfHex: string | undefined,
): ConversationSummary {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    lastActivityAt: r.last_activity_at,
    unreadCount: r.unread_count,
    notify: r.notify,
    disappearAfterMs: r.disappear_after_ms,
    readOnly: readOnlyReason(r, resyncing),
    lastMessage:
      r.m_id === null
        ? null
        : {
            id: r.m_id,
            preview: r.m_deleted_at !== null ? '' : (r.m_body ?? (r.m_kind === 'file' ? 'File' : '')),
            sentAt: r.m_sent_at ?? 0,
            outgoing: r.m_outgoing === 1,
            deleted: r.m_deleted_at !== null,
            event: r.m_kind === 'system' ? systemEventView(parseSystemEvent(r.m_event), selfHex) : null,
          },
  };
}
