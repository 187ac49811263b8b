import type { Db } from '../encryptedDatabase';

/** This device's MLS signing identity as stored. */
export interface StoredMlsDevice {
  peerId: string;
  signaturePublicKey: Buffer;
  signaturePrivateKey: Buffer;
  credential: Buffer;
}

/** This device's MLS signing key pair and credential (`mls_device`, one row, id 1). */
export class MlsDeviceRepository {
  constructor(private readonly db: Db) {}

  get(): StoredMlsDevice | null {
    const row = this.db
      .prepare('SELECT peer_id, signature_public, signature_private, credential FROM mls_device WHERE id = 1')
      .get() as
      | { peer_id: string; signature_public: Buffer; signature_private: Buffer; credential: Buffer }
      | undefined;
    return row
      ? {
          peerId: row.peer_id,
          signaturePublicKey: row.signature_public,
          signaturePrivateKey: row.signature_private,
          credential: row.credential,
        }
      : null;
  }

  put(d: {
    peerId: string;
    signaturePublicKey: Uint8Array;
    signaturePrivateKey: Uint8Array;
    credential: Uint8Array;
    now: number;
  }): void {
    this.db
      .prepare(
        `INSERT INTO mls_device (id, peer_id, signature_public, signature_private, credential, created_at)
         VALUES (1, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET peer_id = excluded.peer_id, signature_public = excluded.signature_public,
           signature_private = excluded.signature_private, credential = excluded.credential, created_at = excluded.created_at`,
      )
      .run(d.peerId, d.signaturePublicKey, d.signaturePrivateKey, d.credential, d.now);
  }

  /** Forgets the MLS device identity (a restored device makes its own on start). */
  clear(): void {
    this.db.prepare('DELETE FROM mls_device').run();
  }
}
