import { ParleyError } from '../errors';
import type { Store } from '../store/store';
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

/** Where the own card and name are kept. */
export type OwnProfileRepositories = Pick<Store, 'identity' | 'settings' | 'tx'>;

/** The stored signed card, or null before the first update (or if the row is damaged). */
export function storedCard(repos: Pick<Store, 'settings'>): SignedProfileCard | null {
  const value = repos.settings.get(SETTINGS_KEY);
  if (value === null) return null;
  try {
    const parsed = ProfileCardJson.safeParse(JSON.parse(value));
    return parsed.success ? cardFromJson(parsed.data) : null;
  } catch {
    return null;
  }
}

/**
 * The card to publish now: the stored one if it still names the identity's
 * display name, else a fresh one (first start, or a name set elsewhere).
 */
export function currentCard(
  repos: OwnProfileRepositories,
  identity: OwnIdentity,
  now: number,
): SignedProfileCard {
  const stored = storedCard(repos);
  const name = repos.identity.displayName() ?? stored?.displayName ?? identity.displayName;
  if (stored && stored.displayName === name) return stored;
  return write(repos, identity, {
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
  repos: OwnProfileRepositories,
  identity: OwnIdentity,
  patch: ProfilePatch,
  now: number,
): SignedProfileCard {
  const before = currentCard(repos, identity, now);
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
  return repos.tx.run(() => {
    repos.identity.setDisplayName(displayName);
    return write(repos, identity, {
      version: before.version + 1,
      issuedAt: Math.max(now, before.issuedAt),
      displayName,
      statusText,
      avatar,
    });
  });
}

function write(
  repos: Pick<Store, 'settings'>,
  identity: OwnIdentity,
  card: Omit<SignedProfileCard, 'signature'>,
): SignedProfileCard {
  const signed = signProfileCard(identity.privateKey, identity.publicKey, card);
  repos.settings.set(SETTINGS_KEY, JSON.stringify(cardToJson(signed)));
  return signed;
}
