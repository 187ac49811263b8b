import { createHash } from 'node:crypto';
import type { Role } from './extensions';
import type { MlsMember } from './groupState';
import { decodeGroupMessage } from './wire';

/**
 * The rule every member applies alike to concurrent commits for one epoch
 * (docs/protocol.md §10, RFC 9420 §14): the highest committer rank wins
 * (owner > admin > member > external commit), then the smallest SHA-256 of
 * the commit's MLSMessage.
 */

/** Committer ranks of the ordering rule (docs/protocol.md §10); an external commit ranks lowest. */
export const RANK: Record<Role, number> = { owner: 3, admin: 2, member: 1 };
export const EXTERNAL_RANK = 0;
export const rankOf = (m: MlsMember) => RANK[m.role];

/** The tie-breaker: SHA-256 of the commit's MLSMessage, hex. */
export const commitHash = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** True when commit a beats commit b for the same epoch (the rule, docs/protocol.md §10). */
export function beats(a: { rank: number; hash: string }, b: { rank: number; hash: string }): boolean {
  if (a.rank !== b.rank) return a.rank > b.rank;
  return a.hash < b.hash;
}

/** A group message's epoch and content type, from its header alone. */
export function headerOf(bytes: Uint8Array): { epoch: number; contentType: string } {
  const m = decodeGroupMessage(bytes);
  const h = m.wireformat === 'mls_private_message' ? m.privateMessage : m.publicMessage.content;
  return { epoch: Number(h.epoch), contentType: h.contentType };
}
