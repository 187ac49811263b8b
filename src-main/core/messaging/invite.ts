import { z } from 'zod';

/**
 * An invite: `parley://invite/<base64url(JSON)>`, carrying what the accepting
 * peer needs to reach and trust the inviter (PeerId, addresses, identity key,
 * seal public key, display name) and a one-time token. Presenting the token
 * in a contact request is the inviter's consent (it made the invite), so the
 * inviter adds the contact without asking. Only the token's SHA-256 is kept.
 */
export const INVITE_PREFIX = 'parley://invite/';

const B64 = z.string().regex(/^[A-Za-z0-9_-]+$/);

const InviteJson = z.object({
  v: z.literal(1),
  peerId: z.string().min(1).max(128),
  addresses: z.array(z.string().max(256)).max(16),
  identityKey: B64.max(64),
  sealPublicKey: B64.max(2048),
  displayName: z.string().max(256),
  token: B64.max(64),
});

export interface Invite {
  peerId: string;
  addresses: string[];
  identityKey: Uint8Array;
  sealPublicKey: Uint8Array;
  displayName: string;
  token: Uint8Array;
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));

export function encodeInvite(i: Invite): string {
  const json = {
    v: 1,
    peerId: i.peerId,
    addresses: i.addresses,
    identityKey: b64(i.identityKey),
    sealPublicKey: b64(i.sealPublicKey),
    displayName: i.displayName,
    token: b64(i.token),
  };
  return INVITE_PREFIX + Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');
}

/** The invite, or null when the text is not a well-formed Parley invite. */
export function decodeInvite(text: string): Invite | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith(INVITE_PREFIX) || trimmed.length > 8192) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(trimmed.slice(INVITE_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = InviteJson.safeParse(json);
  if (!parsed.success) return null;
  const identityKey = unb64(parsed.data.identityKey);
  const token = unb64(parsed.data.token);
  if (identityKey.length !== 32 || token.length < 16) return null;
  return {
    peerId: parsed.data.peerId,
    addresses: parsed.data.addresses,
    identityKey,
    sealPublicKey: unb64(parsed.data.sealPublicKey),
    displayName: parsed.data.displayName,
    token,
  };
}
