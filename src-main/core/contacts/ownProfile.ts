import { ParleyError } from '../errors';
import type { Db } from '../store/encryptedDatabase';
import {
  avatarProblem,
  cardFromJson,
  cardToJson,
  DISPLAY_NAME_MAX_CHARS,
  ProfileCardJson,
  signProfileCard,
  STATUS_TEXT_MAX_CHARS,
  type SignedProfileCard,
} from './profileCard';

/**
 * This user's own profile card: the display name lives in `identity` (where
 * the profile was created), the signed card in `settings` under
 * `profile.card` (JSON). Every change bumps the version and re-signs, so
 * contacts replace their cached copy only with a newer card.
 */

const SETTINGS_KEY = 'profile.card';

export interface OwnIdentity {
  publicKey: Uint8Array;
  /** PKCS#8 DER. */
  privateKey: Uint8Array;
  /** The name messaging was started with: used when the database has no identity row (tests, tools). */
  displayName: string;
}

export interface ProfilePatch {
  displayName?: string;
  statusText?: string;
  /** New picture bytes, or null to remove it. */
  avatar?: Uint8Array | null;
}

function identityName(db: Db): string | null {
  const row = db.prepare('SELECT display_name FROM identity WHERE id = 1').get() as
    { display_name: string } | undefined;
  return row?.display_name ?? null;
}

/** The stored signed card, or null before the first update (or if the row is damaged). */
export function storedCard(db: Db): SignedProfileCard | null {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(SETTINGS_KEY) as
    { value: string } | undefined;
  if (!row) return null;
  try {
    const parsed = ProfileCardJson.safeParse(JSON.parse(row.value));
    return parsed.success ? cardFromJson(parsed.data) : null;
  } catch {
    return null;
  }
}

/**
 * The card to publish now: the stored one if it still names the identity's
 * display name, else a fresh one (first start, or a name set elsewhere).
 */
export function currentCard(db: Db, identity: OwnIdentity, now: number): SignedProfileCard {
  const stored = storedCard(db);
  const name = identityName(db) ?? stored?.displayName ?? identity.displayName;
  if (stored && stored.displayName === name) return stored;
  return write(db, identity, {
    version: (stored?.version ?? 0) + 1,
    issuedAt: now,
    displayName: name.slice(0, DISPLAY_NAME_MAX_CHARS) || 'Parley user',
    statusText: stored?.statusText ?? '',
    avatar: stored?.avatar ?? null,
  });
}

/**
 * Applies a user's edit: validates it (INVALID_PARAMS with a message to show,
 * nothing written), then stores the name and the new signed card in one
 * transaction.
 */
export function updateOwnProfile(
  db: Db,
  identity: OwnIdentity,
  patch: ProfilePatch,
  now: number,
): SignedProfileCard {
  const before = currentCard(db, identity, now);
  const displayName = patch.displayName?.trim() ?? before.displayName;
  if (displayName.length === 0 || displayName.length > DISPLAY_NAME_MAX_CHARS) {
    throw new ParleyError('INVALID_PARAMS', `A name is 1 to ${DISPLAY_NAME_MAX_CHARS} characters.`);
  }
  const statusText = patch.statusText?.trim() ?? before.statusText;
  if (statusText.length > STATUS_TEXT_MAX_CHARS) {
    throw new ParleyError('INVALID_PARAMS', `A status is at most ${STATUS_TEXT_MAX_CHARS} characters.`);
  }
  const avatar = patch.avatar === undefined ? before.avatar : patch.avatar;
  if (avatar !== null) {
    const problem = avatarProblem(avatar);
    if (problem) throw new ParleyError('INVALID_PARAMS', problem);
  }
  return db.transaction(() => {
    db.prepare('UPDATE identity SET display_name = ? WHERE id = 1').run(displayName);
    return write(db, identity, {
      version: before.version + 1,
      issuedAt: Math.max(now, before.issuedAt),
      displayName,
      statusText,
      avatar,
    });
  })();
}

function write(db: Db, identity: OwnIdentity, card: Omit<SignedProfileCard, 'signature'>): SignedProfileCard {
  const signed = signProfileCard(identity.privateKey, identity.publicKey, card);
  db.prepare(
    `INSERT INTO settings (key, value) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  ).run(SETTINGS_KEY, JSON.stringify(cardToJson(signed)));
  return signed;
}
