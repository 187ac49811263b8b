import type { IdentityRepository } from '../store/repositories/identityRepository';
import type { IncomingMessage, NotificationRepository } from '../store/repositories/notificationRepository';
import type { SettingsRepository } from '../store/repositories/settingsRepository';
import type { Transactor } from '../store/transactor';
import type { Logger } from '../util/logger';

/**
 * Notifications (issue #6 item 7): the core decides *whether* a new message
 * deserves one and *what it says*; a shell decides how to show it (Electron:
 * an OS notification, src-main/app/notifications.ts). Rules:
 *
 * - only incoming messages (never our own, never system notices), only ones
 *   that arrived while this profile is unlocked and running;
 * - per conversation: `all`, `mentions` (only messages that mention us) or
 *   `muted` (never);
 * - "show message content" off: the title is "Parley" and the body "New
 *   message" — neither who wrote nor what.
 *
 * When the profile locks, messaging stops with it (MessagingHost.stop), so
 * nothing arrives and nothing is announced until the next unlock; messages
 * that arrive during that unlock's catch-up are announced then, at most one
 * notification per conversation per batch.
 */

export interface NotificationPayload {
  conversationId: number;
  messageId: number;
  title: string;
  body: string;
}

export interface NotificationPrefs {
  /** Show who wrote and what in notifications (default on). */
  showContent: boolean;
}

const SHOW_CONTENT_KEY = 'notifications.showContent';
/** Longer bodies are cut: OS notification centres show two or three lines at most. */
const MAX_BODY_CHARS = 200;
/** Rows read per check; a larger backlog (offline catch-up) gets one summary per conversation. */
const MAX_ROWS = 1_000;

export function readNotificationPrefs(settings: Pick<SettingsRepository, 'get'>): NotificationPrefs {
  return { showContent: settings.get(SHOW_CONTENT_KEY) !== 'false' };
}

export function writeNotificationPrefs(
  settings: Pick<SettingsRepository, 'set'>,
  prefs: NotificationPrefs,
): void {
  settings.set(SHOW_CONTENT_KEY, prefs.showContent ? 'true' : 'false');
}

/**
 * Whether a message mentions this user, for the "mentions only" mode.
 * Structured mentions (the `mentions` column: identity keys, hex; text
 * content carries them, content.ts) win; failing those, a body containing
 * "@<my display name>" (case-insensitive, not followed by a letter or digit)
 * counts, so messages from builds that send no structured mentions still
 * notify. The chat's own mention highlight (handlers/messageExtrasPresenter.ts) uses the
 * structured mentions only.
 */
export function mentionsMe(
  message: { body: string | null; mentions: string | null },
  me: { identityKeyHex: string; displayName: string },
): boolean {
  if (message.mentions) {
    try {
      const keys: unknown = JSON.parse(message.mentions);
      if (
        Array.isArray(keys) &&
        keys.some((k) => typeof k === 'string' && k.toLowerCase() === me.identityKeyHex)
      )
        return true;
    } catch {
      // A damaged column is no mention; the text rule below still applies.
    }
  }
  const name = me.displayName.trim().toLowerCase();
  if (!message.body || name.length === 0) return false;
  const body = message.body.toLowerCase();
  const needle = `@${name}`;
  for (let at = body.indexOf(needle); at >= 0; at = body.indexOf(needle, at + 1)) {
    const next = body.slice(at + needle.length, at + needle.length + 1);
    if (!/[\p{L}\p{N}]/u.test(next)) return true;
  }
  return false;
}

/**
 * The repositories the watcher reads: new messages, the preferences, the
 * own identity (a Store, or ProfileRepositories in tests).
 */
export interface NotificationSource {
  notifications: NotificationRepository;
  settings: Pick<SettingsRepository, 'get'>;
  identity: Pick<IdentityRepository, 'get'>;
  tx: Pick<Transactor, 'open'>;
}

/** This profile's own identity, from its database (the core's `identity` row). */
export function selfFromIdentity(source: Pick<NotificationSource, 'identity'>): {
  identityKeyHex: string;
  displayName: string;
} | null {
  const row = source.identity.get();
  return row ? { identityKeyHex: row.publicKey.toString('hex'), displayName: row.displayName } : null;
}

/**
 * Watches for new incoming messages and emits at most one notification per
 * conversation per check. `check()` is called after the store reported new
 * messages (the `messages.changed` event); `reset()` on unlock, so messages
 * already stored are never announced.
 */
export class NotificationCenter {
  private watermark: number | null = null;

  constructor(
    private readonly deps: {
      emit: (payload: NotificationPayload) => void;
      /** This user: identity key (hex) and display name, for mentions; null while unknown. */
      self: (source: NotificationSource) => { identityKeyHex: string; displayName: string } | null;
      logger: Logger;
    },
  ) {}

  /** Everything stored so far counts as seen. */
  reset(source: NotificationSource | null): void {
    this.watermark = source ? source.notifications.newestMessageId() : null;
  }

  check(source: NotificationSource): void {
    if (!source.tx.open) return;
    if (this.watermark === null) {
      // First change seen since unlock without a reset(): start from here.
      this.watermark = source.notifications.newestMessageId();
      return;
    }
    const rows = source.notifications.incomingAfter(this.watermark, MAX_ROWS);
    if (rows.length === 0) return;
    // A backlog larger than one read is summarised by what was read; the rest is skipped.
    this.watermark =
      rows.length === MAX_ROWS ? source.notifications.newestMessageId() : (rows.at(-1)?.id ?? this.watermark);
    const me = this.deps.self(source);
    if (!me) return;
    const prefs = readNotificationPrefs(source.settings);
    const byConversation = new Map<number, IncomingMessage[]>();
    for (const row of rows) {
      if (row.notify === 'muted') continue;
      if (row.notify === 'mentions' && !mentionsMe(row, me)) continue;
      const list = byConversation.get(row.conversationId) ?? [];
      list.push(row);
      byConversation.set(row.conversationId, list);
    }
    for (const [conversationId, list] of byConversation) {
      const last = list.at(-1);
      if (!last) continue;
      this.deps.emit({ conversationId, messageId: last.id, ...describe(list, last, prefs) });
    }
    if (byConversation.size > 0)
      this.deps.logger.log('info', 'notify.emitted', { count: byConversation.size });
  }
}

function describe(
  list: IncomingMessage[],
  last: IncomingMessage,
  prefs: NotificationPrefs,
): { title: string; body: string } {
  if (!prefs.showContent) {
    return { title: 'Parley', body: list.length === 1 ? 'New message' : `${list.length} new messages` };
  }
  const sender = last.senderName ?? 'Someone';
  const text = last.body ?? (last.kind === 'file' ? 'File' : 'New message');
  const more = list.length > 1 ? ` (+${list.length - 1} more)` : '';
  const room = MAX_BODY_CHARS - more.length;
  const clipped = text.length > room ? `${text.slice(0, room - 1)}…` : text;
  if (last.conversationKind === 'group') {
    return { title: last.conversationName ?? 'Group', body: `${sender}: ${clipped}${more}` };
  }
  return { title: sender, body: `${clipped}${more}` };
}
