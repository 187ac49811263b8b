import type { MessageView } from '../../../src-shared/contract';
import type { Db } from './encryptedDatabase';
import type { Message } from './repositories/types';
import { systemEventView } from './systemEventView';

/**
 * Turns stored messages into what the UI shows: keys as hex and the sender's
 * name (our own, a contact's local or published name, the name a group
 * member who is not a contact announced, or a short key for a stranger),
 * looked up once per page rather than once per message.
 */
export class MessageViews {
  private readonly selfStmt;
  constructor(private readonly db: Db) {
    this.selfStmt = db.prepare('SELECT public_key, display_name FROM identity WHERE id = 1');
  }

  /**
   * Who holds a message for delivery, by name (issue #17 item 11): the
   * contact whose device took it, or the name of our own device (an
   * always-on `parley node`). A device we know no name for stays unnamed
   * ("held for delivery"), never a raw PeerId.
   */
  private holderNames(messages: Message[]): Map<string, string> {
    const peers = [...new Set(messages.flatMap((m) => (m.heldBy === null ? [] : [m.heldBy])))];
    const names = new Map<string, string>();
    if (peers.length === 0) return names;
    const rows = this.db
      .prepare(
        `SELECT d.peer_id AS peer, d.is_self AS self, d.name AS device,
                coalesce(c.local_name, c.display_name) AS contact
           FROM devices d LEFT JOIN contacts c ON c.identity_key = d.identity_key
          WHERE d.peer_id IN (${peers.map(() => '?').join(',')})`,
      )
      .all(...peers) as { peer: string; self: number; device: string | null; contact: string | null }[];
    for (const r of rows) {
      const name = r.self === 1 ? (r.device ?? 'your other device') : (r.contact ?? r.device);
      if (name) names.set(r.peer, name);
    }
    return names;
  }

  toViews(messages: Message[]): MessageView[] {
    const self = this.selfStmt.get() as { public_key: Buffer; display_name: string } | undefined;
    const keys = [...new Set(messages.map((m) => m.senderKey.toString('hex')))];
    const names = new Map<string, string>();
    if (keys.length > 0) {
      // Messages keep the key they were sent with: after the user accepted a
      // contact's key change, that contact's older messages carry the previous
      // key and still show the contact's name. Keys compared as blobs so the
      // UNIQUE index on identity_key is used.
      const marks = keys.map(() => '?').join(',');
      const blobs = keys.map((k) => Buffer.from(k, 'hex'));
      const rows = this.db
        .prepare(
          `SELECT identity_key AS k, name, -1 AS current
             FROM devices WHERE identity_key IN (${marks}) AND name IS NOT NULL
           UNION ALL
           SELECT previous_identity_key, coalesce(local_name, display_name), 0
             FROM contacts WHERE previous_identity_key IN (${marks})
           UNION ALL
           SELECT identity_key, coalesce(local_name, display_name), 1 FROM contacts
             WHERE identity_key IN (${marks})
           ORDER BY current`,
        )
        .all(...blobs, ...blobs, ...blobs) as Array<{ k: Buffer; name: string }>;
      // A contact's current key wins over another's previous one, and both
      // over the name a group member who is not a contact announced (ordered last wins).
      for (const r of rows) names.set(r.k.toString('hex'), r.name);
    }
    const holders = this.holderNames(messages);
    const selfHex = self?.public_key.toString('hex');
    return messages.map((m) => {
      const key = m.senderKey.toString('hex');
      const isSelf = key === selfHex;
      return {
        id: m.id,
        conversationId: m.conversationId,
        uid: m.uid,
        sender: {
          key,
          self: isSelf,
          name: isSelf ? (self?.display_name ?? 'You') : (names.get(key) ?? `Unknown (${key.slice(0, 8)})`),
        },
        kind: m.kind,
        body: m.body,
        event: systemEventView(m.event, selfHex),
        replyToUid: m.replyToUid,
        sentAt: m.sentAt,
        editedAt: m.editedAt,
        deletedAt: m.deletedAt,
        expiresAt: m.expiresAt,
        state: m.state,
        heldBy: m.heldBy === null ? null : (holders.get(m.heldBy) ?? null),
        hasFile: m.hasFile,
      };
    });
  }
}
