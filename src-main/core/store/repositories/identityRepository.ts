import type { Db } from '../encryptedDatabase';

/** This profile's own identity row (`identity`, id 1): its public key and the name it goes by. */
export class IdentityRepository {
  constructor(private readonly db: Db) {}

  /** The identity's public key and display name, or null before a profile was created in this database. */
  get(): { publicKey: Buffer; displayName: string } | null {
    const row = this.db.prepare('SELECT public_key, display_name FROM identity WHERE id = 1').get() as
      { public_key: Buffer; display_name: string } | undefined;
    return row ? { publicKey: row.public_key, displayName: row.display_name } : null;
  }

  /** The identity with its private key, for starting messaging (signing device certificates); null when none. */
  withPrivateKey(): { publicKey: Buffer; privateKey: Buffer; displayName: string } | null {
    const row = this.db
      .prepare('SELECT display_name, public_key, private_key FROM identity WHERE id = 1')
      .get() as { display_name: string; public_key: Buffer; private_key: Buffer } | undefined;
    return row
      ? { publicKey: row.public_key, privateKey: row.private_key, displayName: row.display_name }
      : null;
  }

  /** The display name, or null when the database has no identity row (tests, tools). */
  displayName(): string | null {
    const row = this.db.prepare('SELECT display_name FROM identity WHERE id = 1').get() as
      { display_name: string } | undefined;
    return row?.display_name ?? null;
  }

  /**
   * Deletes the identity private key, keeping the public key (what a linked
   * device holds, §13.2): a removed device 0 gives it up (§13.8).
   */
  forgetPrivateKey(): void {
    this.db.prepare("UPDATE identity SET private_key = x'' WHERE id = 1").run();
  }

  setDisplayName(displayName: string): void {
    this.db.prepare('UPDATE identity SET display_name = ? WHERE id = 1').run(displayName);
  }
}
