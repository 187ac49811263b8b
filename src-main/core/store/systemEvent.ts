import { z } from 'zod';

/**
 * What a system row says, as data (issue 16 item 5): the kind of change, who
 * made it, whom it concerns and its parameters, stored as versioned JSON in
 * `messages.event` (migration 0018). The core writes no words: the renderer
 * (and the CLI) turn an event into a sentence, with "You" for this user.
 *
 * People are kept by identity key (hex) with the name this device knew them
 * by when the change happened, so a line still names someone who has since
 * left, was removed as a contact, or whose device is gone.
 */
export const SYSTEM_EVENT_VERSION = 1;

const Person = z.object({ key: z.string().regex(/^[0-9a-f]*$/), name: z.string().max(256) });
export type StoredPerson = z.infer<typeof Person>;

const Role = z.enum(['owner', 'admin', 'member']);
const v = z.literal(SYSTEM_EVENT_VERSION);

export const StoredSystemEvent = z.discriminatedUnion('kind', [
  z.object({ v, kind: z.literal('groupCreated'), actor: Person }),
  z.object({ v, kind: z.literal('membersAdded'), actor: Person, subjects: z.array(Person).min(1).max(1000) }),
  z.object({ v, kind: z.literal('memberRemoved'), actor: Person, subject: Person }),
  z.object({ v, kind: z.literal('memberLeft'), actor: Person }),
  z.object({ v, kind: z.literal('groupRenamed'), actor: Person, name: z.string().max(256) }),
  z.object({ v, kind: z.literal('roleChanged'), actor: Person, subject: Person, role: Role }),
  z.object({ v, kind: z.literal('timerChanged'), actor: Person, ms: z.number().int().positive().nullable() }),
  // Another device restored from the same backup took over this one's leaf (RFC 9420 §12.4.3.2).
  z.object({ v, kind: z.literal('replacedElsewhere') }),
  // A line written as words before events existed (migration 0018 keeps it readable).
  z.object({ v, kind: z.literal('legacy'), text: z.string() }),
]);
export type StoredSystemEvent = z.infer<typeof StoredSystemEvent>;

/** The event as stored; what a newer build wrote that this one cannot read comes back as null. */
export function parseSystemEvent(json: string | null): StoredSystemEvent | null {
  if (json === null) return null;
  try {
    const parsed = StoredSystemEvent.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A person as an event names them: by identity key, with the name known now. */
export function personOf(identityKey: Uint8Array, name: string): StoredPerson {
  return { key: Buffer.from(identityKey).toString('hex'), name };
}
