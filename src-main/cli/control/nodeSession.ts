import { resolve } from 'node:path';
import { z } from 'zod';
import { ReadOnlyReason } from '../../../src-shared/contract';
import { stripBidiControls } from '../../../src-shared/contract/bidi';
import { readOnlyWords } from '../../../src-renderer/src/features/chat/readOnlyWords';
import { ParleyError } from '../../core/errors';
import { defaultProfileDir } from '../defaultProfileDir';
import type { CliIo } from '../io';
import { connectControl, NO_NODE_MESSAGE, type ControlClient } from './controlClient';
import { controlSocketPath } from './controlServer';
import { profileOption } from '../profileOption';

/** The `--profile DIR` option every command that talks to a running node takes. */
export const nodeProfileOption = {
  ...profileOption,
  description: 'profile folder of the running node (default: the per-user app data folder)',
} as const;

export interface NodeSession {
  profileDir: string;
  /** The request's value; a failed reply becomes a ParleyError with a message fit for the terminal. */
  call(name: string, params?: Record<string, unknown>): Promise<unknown>;
}

/**
 * Runs `fn` against the node that has this profile open. These commands never
 * open the database themselves: the node holds the profile lock and its MLS
 * state, and a second writer would fork it.
 */
export async function withNode<T>(
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
  fn: (session: NodeSession) => Promise<T>,
): Promise<T> {
  const profileDir = resolve(typeof values.profile === 'string' ? values.profile : defaultProfileDir(io.env));
  const client = await connectControl(controlSocketPath(profileDir)).catch((err: unknown) => {
    // Which folder was checked matters when it is the default one the user did not type (issue #17 item 22).
    if (err instanceof ParleyError && err.message === NO_NODE_MESSAGE) {
      throw new ParleyError('DISCONNECTED', noNodeMessage(profileDir));
    }
    throw err;
  });
  try {
    return await fn({ profileDir, call: (name, params = {}) => call(client, name, params) });
  } finally {
    client.close();
  }
}

export function noNodeMessage(profileDir: string): string {
  return `No parley node is running for the profile in ${profileDir}; start one with \`parley node --profile ${profileDir}\`.`;
}

async function call(client: ControlClient, name: string, params: Record<string, unknown>): Promise<unknown> {
  const reply = await client.request(name, params);
  if (reply.ok) return reply.value;
  if (reply.error.code === 'UNKNOWN_REQUEST') {
    // The CLI may be newer than the core the node runs (or the core lacks the feature yet).
    throw new ParleyError(
      'UNKNOWN_REQUEST',
      `The running node does not support "${name}" (${reply.error.message}). Update Parley and restart the node.`,
    );
  }
  throw new ParleyError(reply.error.code, reply.error.message);
}

/** The fields the CLI needs of a contact; other fields pass through to --json untouched. */
const ContactEntry = z
  .object({
    id: z.number().int(),
    displayName: z.string().optional(),
    localName: z.string().nullable().optional(),
    name: z.string().optional(),
    devices: z.array(z.object({ peerId: z.string() }).passthrough()).optional(),
  })
  .passthrough();
export type ContactEntry = z.infer<typeof ContactEntry>;

export function contactName(c: ContactEntry): string {
  return c.localName || c.displayName || c.name || `contact ${c.id}`;
}

export async function listContacts(session: NodeSession): Promise<ContactEntry[]> {
  const value = await session.call('contacts.list');
  // Accept both a bare array and { contacts: [...] }: the result shape is the core's to choose.
  const list = z
    .union([
      z.array(ContactEntry),
      z.object({ contacts: z.array(ContactEntry) }).transform((v) => v.contacts),
    ])
    .safeParse(value);
  if (!list.success)
    throw new ParleyError('INTERNAL', 'The node answered contacts.list in an unexpected shape.');
  return list.data;
}

/** CONTACT: a name, case-insensitive; an exact match wins, otherwise a unique prefix. */
export function matchContact(contacts: readonly ContactEntry[], query: string): ContactEntry {
  const q = query.trim().toLocaleLowerCase();
  if (q === '') throw new ParleyError('INVALID_PARAMS', 'Name a contact.');
  const named = contacts.map((c) => ({ c, name: contactName(c).toLocaleLowerCase() }));
  const exact = named.filter((n) => n.name === q);
  const found = exact.length > 0 ? exact : named.filter((n) => n.name.startsWith(q));
  if (found.length === 1 && found[0]) return found[0].c;
  if (found.length === 0) {
    throw new ParleyError(
      'INVALID_PARAMS',
      contacts.length === 0
        ? `No contact matches "${printable(query)}": you have no contacts yet (see \`parley invite\`).`
        : `No contact matches "${printable(query)}". Contacts: ${contacts.map((c) => printable(contactName(c))).join(', ')}.`,
    );
  }
  throw new ParleyError(
    'INVALID_PARAMS',
    `"${printable(query)}" matches several contacts: ${found.map((n) => printable(contactName(n.c))).join(', ')}. Type more of the name.`,
  );
}

const ConversationEntry = z.object({
  id: z.number().int(),
  kind: z.string(),
  title: z.string(),
  contactId: z.number().int().nullable().optional(),
  /** Why nothing can be sent there any more; null when writable. */
  readOnly: ReadOnlyReason.nullable().optional(),
});
export type ConversationEntry = z.infer<typeof ConversationEntry>;

/** Why nothing can be sent in `entry` any more, in the chat's words (readOnlyWords); null when it can. */
export function whyReadOnly(entry: ConversationEntry | null): string | null {
  return entry?.readOnly ? readOnlyWords(entry.readOnly, entry.title) : null;
}

/** The DM with a contact, if one exists: by contactId when the core reports it, else by its title. */
export async function findDm(session: NodeSession, contact: ContactEntry): Promise<number | null> {
  return (await findDmEntry(session, contact))?.id ?? null;
}

/** The DM with a contact as conversations.list shows it (with why it is read-only, if it is). */
export async function findDmEntry(
  session: NodeSession,
  contact: ContactEntry,
): Promise<ConversationEntry | null> {
  const parsed = z.array(ConversationEntry).safeParse(await session.call('conversations.list', {}));
  if (!parsed.success) {
    throw new ParleyError('INTERNAL', 'The node answered conversations.list in an unexpected shape.');
  }
  const dms = parsed.data.filter((c) => c.kind === 'dm');
  const byId = dms.filter((c) => c.contactId === contact.id);
  if (byId.length > 0) return byId[0] ?? null;
  const byTitle = dms.filter((c) => c.contactId === undefined && c.title === contactName(contact));
  return byTitle.length === 1 ? (byTitle[0] ?? null) : null;
}

/**
 * Who holds a message for an offline recipient, by name: the core records the
 * holder's PeerId, which means nothing to a person (issue #17 items 11 and 22).
 */
export function holderName(contacts: readonly ContactEntry[], peerId: string | null): string {
  if (peerId === null) return 'a contact';
  const holder = contacts.find((c) => c.devices?.some((d) => d.peerId === peerId));
  return holder ? printable(contactName(holder)) : `a device ${peerId.slice(0, 12)}…`;
}

/** The conversation id in a createDm answer: a bare number, or an object naming it. */
export function conversationIdOf(value: unknown): number {
  const parsed = z
    .union([
      z.number().int(),
      z.object({ conversationId: z.number().int() }).transform((v) => v.conversationId),
      z.object({ id: z.number().int() }).transform((v) => v.id),
    ])
    .safeParse(value);
  if (!parsed.success) throw new ParleyError('INTERNAL', 'The node answered with no conversation id.');
  return parsed.data;
}

/**
 * Text from the network goes to a terminal: control characters (escape
 * sequences could rewrite the screen, newlines would break one-line output)
 * become spaces.
 */
export function printable(text: string): string {
  // Bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069) would reorder the
  // terminal line around them, spoofing a name or a file name (issue #14 item 12).
  return stripBidiControls(text).replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, ' ');
}

/** `2024-03-01 14:05`, local time. */
export function localMinute(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
