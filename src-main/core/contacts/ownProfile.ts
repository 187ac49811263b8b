import { ParleyError } from '../errors';
import {
  compareCards,
  decodeProfileCardV2,
  encodeProfileCardV2,
  type ProfileCardFields,
  type ProfileCardV2,
  signProfileCardV2,
} from '../identity/profileCardV2';
import type { Store } from '../store/store';
import type { Ed25519Sign } from '../util/ed25519';
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
 * the profile was created), the signed cards in `settings`: version 1 under
 * `profile.card` (JSON, signed by the identity key, which only device 0
 * holds) and version 2 under `profile.card2` (base64url, signed by this or
 * another own device, docs/protocol.md §13.6). Every change bumps the version
 * past the highest either card has and re-signs, so contacts replace their
 * cached copy only with a newer card.
 *
 * Which card goes to whom (§13.6): a card travels in a DM's `profile`
 * content, one encryption for every device of the DM, so it cannot be cut to
 * each receiver. Device 0 sends both; a linked device sends version 2, and
 * the version 1 card it holds only while that card carries the same edit.
 * A receiver that holds the sender's device list takes version 2 only; one
 * that holds none (an older build, a person not yet a contact) takes version
 * 1. Own devices receive each other's cards and keep the newest
 * (`adoptOwnCard`), so the next edit on any device raises the version past
 * every one seen; device 0 then signs the adopted edit as version 1 too.
 */

const SETTINGS_KEY = 'profile.card';
const SETTINGS_KEY_V2 = 'profile.card2';

/** This device as the signer of version 2 cards: its key and its add entry in the own list. */
export interface CardSigner {
  peerId: string;
  /** seq of the own list's entry that added this device. */
  addedSeq: number;
  sign: Ed25519Sign;
  /** Whether a device (the signer of a stored card) is still active in the own list. */
  isActive(peerId: string): boolean;
}

export interface OwnIdentity {
  publicKey: Uint8Array;
  /** PKCS#8 DER; empty on a linked device, which never holds the identity key (§13.2). */
  privateKey: Uint8Array;
  /** The name messaging was started with: used when the database has no identity row (tests, tools). */
  displayName: string;
  /** This device as a version 2 signer; absent or null while it has no active own list entry. */
  cardSigner?: () => CardSigner | null;
}

export interface ProfilePatch {
  displayName?: string;
  statusText?: string;
  /** New picture bytes, or null to remove it. */
  avatar?: Uint8Array | null;
}

/** The cards this device publishes now. */
export interface OwnCards {
  /** What the profile says now (the newest edit). */
  fields: ProfileCardFields;
  /** Version 1 with exactly these fields, when one is held (device 0 signs it; others relay it). */
  v1: SignedProfileCard | null;
  /** Version 2 with exactly these fields, when this device can sign one or holds one. */
  v2: ProfileCardV2 | null;
}

/** Where the own cards and name are kept. */
export type OwnProfileRepositories = Pick<Store, 'identity' | 'settings' | 'tx'>;

/** Whether this device holds the identity key and so signs version 1 cards (device 0). */
export function signsCards(identity: Pick<OwnIdentity, 'privateKey'>): boolean {
  return identity.privateKey.length > 0;
}

/** The stored version 1 card, or null before the first update (or if the row is damaged). */
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

/** The stored version 2 card, or null. */
export function storedCardV2(repos: Pick<Store, 'settings'>): ProfileCardV2 | null {
  const value = repos.settings.get(SETTINGS_KEY_V2);
  return value === null ? null : decodeProfileCardV2(new Uint8Array(Buffer.from(value, 'base64url')));
}

const sameFields = (a: ProfileCardFields, b: ProfileCardFields): boolean =>
  a.version === b.version &&
  a.issuedAt === b.issuedAt &&
  a.displayName === b.displayName &&
  a.statusText === b.statusText &&
  Buffer.from(a.avatar ?? []).equals(Buffer.from(b.avatar ?? []));

const fieldsOf = (c: ProfileCardFields): ProfileCardFields => ({
  version: c.version,
  issuedAt: c.issuedAt,
  displayName: c.displayName,
  statusText: c.statusText,
  avatar: c.avatar,
});

/** The newest of the stored cards' fields (version 1 ranks as signed by nobody in a tie). */
function newestStored(v1: SignedProfileCard | null, v2: ProfileCardV2 | null): ProfileCardFields | null {
  if (v1 === null) return v2 === null ? null : fieldsOf(v2);
  if (v2 === null) return fieldsOf(v1);
  return compareCards(v2, v1) >= 0 ? fieldsOf(v2) : fieldsOf(v1);
}

/**
 * The cards to publish now: the newest stored edit if it still names the
 * identity's display name, else a fresh version (first start, or a name set
 * elsewhere); signed as version 1 where the identity key is held and as
 * version 2 where this device is listed, each only when the stored one does
 * not carry these fields already (or, for version 2, its signer was removed
 * since: new receivers refuse it, §13.6).
 */
export function ownCards(repos: OwnProfileRepositories, identity: OwnIdentity, now: number): OwnCards {
  const v1 = storedCard(repos);
  const v2 = storedCardV2(repos);
  const newest = newestStored(v1, v2);
  const name = repos.identity.displayName() ?? newest?.displayName ?? identity.displayName;
  const fields: ProfileCardFields =
    newest && newest.displayName === name
      ? newest
      : {
          version: (newest?.version ?? 0) + 1,
          issuedAt: Math.max(now, newest?.issuedAt ?? 0),
          displayName: name.slice(0, DISPLAY_NAME_MAX_CHARS) || 'Parley user',
          statusText: newest?.statusText ?? '',
          avatar: newest?.avatar ?? null,
        };
  return write(repos, identity, fields, { v1, v2 });
}

/** The fields of the current card (what the profile screen shows). */
export function currentCard(
  repos: OwnProfileRepositories,
  identity: OwnIdentity,
  now: number,
): ProfileCardFields {
  return ownCards(repos, identity, now).fields;
}

/**
 * Applies a user's edit: validates it (INVALID_PARAMS with a message to show,
 * nothing written), then stores the name and the new signed cards in one
 * transaction, with a version past every card held.
 */
export function updateOwnProfile(
  repos: OwnProfileRepositories,
  identity: OwnIdentity,
  patch: ProfilePatch,
  now: number,
): OwnCards {
  const before = ownCards(repos, identity, now);
  if (before.v1 === null && before.v2 === null) {
    throw new ParleyError(
      'INVALID_STATE',
      'This device is not in your device list yet, so it cannot sign your profile. Try again in a moment.',
    );
  }
  const displayName = patch.displayName?.trim() ?? before.fields.displayName;
  if (displayName.length === 0 || displayName.length > DISPLAY_NAME_MAX_CHARS) {
    throw new ParleyError('INVALID_PARAMS', `A name is 1 to ${DISPLAY_NAME_MAX_CHARS} characters.`);
  }
  const statusText = patch.statusText?.trim() ?? before.fields.statusText;
  if (statusText.length > STATUS_TEXT_MAX_CHARS) {
    throw new ParleyError('INVALID_PARAMS', `A status is at most ${STATUS_TEXT_MAX_CHARS} characters.`);
  }
  const avatar = patch.avatar === undefined ? before.fields.avatar : patch.avatar;
  if (avatar !== null) {
    const problem = avatarProblem(avatar);
    if (problem) throw new ParleyError('INVALID_PARAMS', problem);
  }
  return repos.tx.run(() => {
    repos.identity.setDisplayName(displayName);
    return write(
      repos,
      identity,
      {
        version: before.fields.version + 1,
        issuedAt: Math.max(now, before.fields.issuedAt),
        displayName,
        statusText,
        avatar,
      },
      { v1: storedCard(repos), v2: storedCardV2(repos) },
    );
  });
}

/**
 * A version 2 card of this very person from another own device (already
 * judged against the own list by the receiver): kept when it is newer than
 * what this device holds, with its name, so the next edit here raises the
 * version past it. Two devices that edited concurrently (same version) end
 * on the same card: the one that ranks first by `compareCards`; the device
 * holding that one signs its fields again one version higher
 * (`'reissued'`), so contacts that took the other card first move on too.
 * Runs inside the caller's transaction.
 */
export function adoptOwnCard(
  repos: OwnProfileRepositories,
  identity: OwnIdentity,
  card: ProfileCardV2,
  now: number,
): 'adopted' | 'reissued' | 'kept' {
  const v1 = storedCard(repos);
  const v2 = storedCardV2(repos);
  const held = v2 ?? (v1 ? { ...fieldsOf(v1), signerPeerId: '' } : null);
  if (held === null || compareCards(card, held) > 0) {
    repos.identity.setDisplayName(card.displayName);
    repos.settings.set(SETTINGS_KEY_V2, Buffer.from(encodeProfileCardV2(card)).toString('base64url'));
    if (signsCards(identity)) write(repos, identity, fieldsOf(card), { v1, v2: card });
    return 'adopted';
  }
  if (card.version === held.version && !sameFields(card, held) && compareCards(card, held) < 0) {
    // Ours ranks first among two edits of one version: sign it again one version up.
    write(
      repos,
      identity,
      { ...fieldsOf(held), version: held.version + 1, issuedAt: Math.max(now, held.issuedAt) },
      { v1, v2 },
    );
    return 'reissued';
  }
  return 'kept';
}

function write(
  repos: Pick<Store, 'settings'>,
  identity: OwnIdentity,
  fields: ProfileCardFields,
  stored: { v1: SignedProfileCard | null; v2: ProfileCardV2 | null },
): OwnCards {
  let { v1, v2 } = stored;
  if (signsCards(identity) && (v1 === null || !sameFields(v1, fields))) {
    v1 = signProfileCard(identity.privateKey, identity.publicKey, fields);
    repos.settings.set(SETTINGS_KEY, JSON.stringify(cardToJson(v1)));
  }
  const signer = identity.cardSigner?.() ?? null;
  const v2Current =
    v2 !== null && sameFields(v2, fields) && (signer === null || signer.isActive(v2.signerPeerId));
  if (signer !== null && !v2Current) {
    v2 = signProfileCardV2(signer.sign, {
      ...fields,
      identityKey: identity.publicKey,
      signerPeerId: signer.peerId,
      signerAddedSeq: signer.addedSeq,
    });
    repos.settings.set(SETTINGS_KEY_V2, Buffer.from(encodeProfileCardV2(v2)).toString('base64url'));
  }
  return {
    fields,
    v1: v1 !== null && sameFields(v1, fields) ? v1 : null,
    v2: v2 !== null && sameFields(v2, fields) ? v2 : null,
  };
}
