import type { Db } from '../encryptedDatabase';

/**
 * The names a chat shows for who wrote a message and who holds it for
 * delivery (handlers/messagePresenter.ts): a contact's local or published
 * name, the name a group member who is no contact announced, the name of one
 * of our own devices. Looked up once per page rather than once per message.
 */
export class SenderNameRepository {
  constructor(private readonly db: Db) {}

  /**
   * Names by identity key (hex) for these keys. Messages keep the key they
   * were sent with: after the user accepted a contact's key change, that
   * contact's older messages carry the previous key and still show the
   * contact's name. A contact's current key wins over another's previous
   * one, and both over the name a group member who is not a contact
   * announced. Keys are compared as blobs so the UNIQUE index on
   * identity_key is used.
   */
  namesOfKeys(keysHex: string[]): Map<string, string> {
    const names = new Map<string, string>();
    if (keysHex.length === 0) return names;
    const marks = keysHex.map(() => '?').join(',');
    const blobs = keysHex.map((k) => Buffer.from(k, 'hex'));
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
    // Ordered so that the last one wins.
    for (const r of rows) names.set(r.k.toString('hex'), r.name);
    return names;
  }

  /**
   * Who holds a message for delivery, by name (issue #17 item 11): the
   * contact whose device took it, or the name of our own device (an
   * always-on `parley node`). A device we know no name for is left out
   * (shown as "held for delivery"), never named by a raw PeerId.
   */
  holderNames(peerIds: string[]): Map<string, string> {
    const names = new Map<string, string>();
    if (peerIds.length === 0) return names;
    const rows = this.db
      .prepare(
        `SELECT d.peer_id AS peer, d.is_self AS self, d.name AS device,
                coalesce(c.local_name, c.display_name) AS contact
           FROM devices d LEFT JOIN contacts c ON c.identity_key = d.identity_key
          WHERE d.peer_id IN (${peerIds.map(() => '?').join(',')})`,
      )
      .all(...peerIds) as { peer: string; self: number; device: string | null; contact: string | null }[];
    for (const r of rows) {
      const name = r.self === 1 ? (r.device ?? 'your other device') : (r.contact ?? r.device);
      if (name) names.set(r.peer, name);
    }
    return names;
  }
}
