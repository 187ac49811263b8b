import { z } from 'zod';

/**
 * A Welcome passed on by members (docs/protocol.md §10, "Welcomes"). When an
 * admin commits a member's Add proposal, the new device is usually the
 * proposer's contact, not the admin's: the admin has no address for it, no
 * relay list to deposit with, and the device does not accept the admin's
 * connections before it joined. So besides queuing the Welcome to the device
 * itself, the committer sends this, as an MLS application message, to the
 * group; every member for whom a `to` device is a contact's device queues the
 * Welcome to it. The Welcome authenticates itself (RFC 9420 §12.4.3.1), so
 * passing it on needs no trust in the relaying member; duplicates are
 * answered `duplicate` by the joiner.
 *
 * Its own JSON shape (`type: 'group.welcome-relay'`), kept apart from chat
 * content (content.ts): taken out before content is applied.
 */

const MAX_RELAY_BYTES = 4 * 1024 * 1024;

const WelcomeRelayJson = z
  .object({
    v: z.literal(1),
    type: z.literal('group.welcome-relay'),
    to: z.array(z.string().min(1).max(128)).min(1).max(256),
    welcome: z.string().min(1),
    ratchetTree: z.string().min(1),
  })
  .strict();

export interface WelcomeRelay {
  readonly to: readonly string[];
  readonly welcome: Uint8Array;
  readonly ratchetTree: Uint8Array;
}

export function encodeWelcomeRelay(r: WelcomeRelay): Uint8Array {
  const json: z.infer<typeof WelcomeRelayJson> = {
    v: 1,
    type: 'group.welcome-relay',
    to: [...r.to],
    welcome: Buffer.from(r.welcome).toString('base64'),
    ratchetTree: Buffer.from(r.ratchetTree).toString('base64'),
  };
  return new Uint8Array(Buffer.from(JSON.stringify(json), 'utf8'));
}

/** The relay request in an application message's plaintext, or null for anything else. */
export function decodeWelcomeRelay(plaintext: Uint8Array): WelcomeRelay | null {
  if (plaintext.length > MAX_RELAY_BYTES) return null;
  const text = Buffer.from(plaintext).toString('utf8');
  // Cheap test first: almost every message is chat content.
  if (!text.includes('"group.welcome-relay"')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const r = WelcomeRelayJson.safeParse(parsed);
  if (!r.success) return null;
  return {
    to: r.data.to,
    welcome: new Uint8Array(Buffer.from(r.data.welcome, 'base64')),
    ratchetTree: new Uint8Array(Buffer.from(r.data.ratchetTree, 'base64')),
  };
}
