import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/**
 * Envelope ids this device committed (`seen_envelopes`, hex): a second copy
 * (direct and from a holder, or offered again) is a duplicate. Checked and
 * marked once per inbound envelope, so the statements are kept (prepared.ts).
 */
export class SeenEnvelopeRepository {
  constructor(private readonly db: Db) {}

  has(envelopeHex: string): boolean {
    return (
      prepared(this.db, 'SELECT 1 FROM seen_envelopes WHERE envelope_id = ?').get(envelopeHex) !== undefined
    );
  }

  mark(envelopeHex: string, at: number): void {
    prepared(this.db, 'INSERT OR IGNORE INTO seen_envelopes (envelope_id, seen_at) VALUES (?, ?)').run(
      envelopeHex,
      at,
    );
  }
}
