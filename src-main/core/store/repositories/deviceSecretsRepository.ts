import type { Db } from '../encryptedDatabase';

/** This device's network key and seal key pair as stored. */
export interface StoredDeviceSecrets {
  deviceKey: Buffer;
  sealSecret: Buffer;
  sealPublic: Buffer;
}

/** This device's own secrets (`device_secrets`, one row, id 1): the libp2p key and the X-Wing seal key pair. */
export class DeviceSecretsRepository {
  constructor(private readonly db: Db) {}

  get(): StoredDeviceSecrets | null {
    const row = this.db
      .prepare('SELECT device_key, seal_secret, seal_public FROM device_secrets WHERE id = 1')
      .get() as { device_key: Buffer; seal_secret: Buffer; seal_public: Buffer } | undefined;
    return row
      ? { deviceKey: row.device_key, sealSecret: row.seal_secret, sealPublic: row.seal_public }
      : null;
  }

  /** Deletes this device's keys (it was removed from its person's devices, §13.8). */
  clear(): void {
    this.db.prepare('DELETE FROM device_secrets').run();
  }

  /** Stores the secrets of a new device, replacing any before them. */
  replace(s: { deviceKey: Uint8Array; sealSecret: Uint8Array; sealPublic: Uint8Array; now: number }): void {
    this.db.prepare('DELETE FROM device_secrets').run();
    this.db
      .prepare(
        'INSERT INTO device_secrets (id, device_key, seal_secret, seal_public, created_at) VALUES (1, ?, ?, ?, ?)',
      )
      .run(Buffer.from(s.deviceKey), Buffer.from(s.sealSecret), Buffer.from(s.sealPublic), s.now);
  }
}
