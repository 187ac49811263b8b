import type { EventPerson, SystemEvent } from '../../../src-shared/contract';
import type { StoredPerson, StoredSystemEvent } from './systemEvent';

/** A stored system event as it crosses the bridge: each person marked as this user or not. */
export function systemEventView(
  event: StoredSystemEvent | null,
  selfHex: string | undefined,
): SystemEvent | null {
  if (event === null) return null;
  const person = (p: StoredPerson): EventPerson => ({ key: p.key, name: p.name, self: p.key === selfHex });
  switch (event.kind) {
    case 'groupCreated':
    case 'memberLeft':
      return { kind: event.kind, actor: person(event.actor) };
    case 'membersAdded':
      return { kind: event.kind, actor: person(event.actor), subjects: event.subjects.map(person) };
    case 'memberRemoved':
      return { kind: event.kind, actor: person(event.actor), subject: person(event.subject) };
    case 'groupRenamed':
      return { kind: event.kind, actor: person(event.actor), name: event.name };
    case 'roleChanged':
      return {
        kind: event.kind,
        actor: person(event.actor),
        subject: person(event.subject),
        role: event.role,
      };
    case 'timerChanged':
      return { kind: event.kind, actor: person(event.actor), ms: event.ms };
    case 'replacedElsewhere':
      return { kind: event.kind };
    case 'legacy':
      return { kind: event.kind, text: event.text };
  }
}
