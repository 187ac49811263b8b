import type { EventPerson, SystemEvent } from '../../../../src-shared/contract';
import { describeTimer } from '../../../../src-shared/contract/areas/conversations';

/**
 * The words for a system event (a group or conversation change): the core
 * stores what happened (store/systemEvent.ts), this writes the sentence,
 * with "You"/"you" for this user and "Someone" for a person this device has
 * no name for. The chat's system rows, the home list's preview and the CLI
 * all read it from here.
 */
export function systemLine(event: SystemEvent): string {
  switch (event.kind) {
    case 'groupCreated':
      return `${who(event.actor, true)} created the group`;
    case 'membersAdded':
      return `${who(event.actor, true)} added ${listOf(event.subjects.map((p) => who(p)))}`;
    case 'memberRemoved':
      return `${who(event.actor, true)} removed ${who(event.subject)}`;
    case 'memberLeft':
      return `${who(event.actor, true)} left`;
    case 'groupRenamed':
      return `${who(event.actor, true)} renamed the group to “${event.name}”`;
    case 'roleChanged':
      return `${who(event.actor, true)} made ${who(event.subject)} ${ROLE_TEXT[event.role]}`;
    case 'timerChanged':
      return event.ms === null
        ? `${who(event.actor, true)} turned off disappearing messages`
        : `${who(event.actor, true)} set disappearing messages to ${describeTimer(event.ms)}`;
    case 'replacedElsewhere':
      return 'This profile was restored from a backup on another device, which took over this conversation. This device can no longer send or read new messages here.';
    case 'legacy':
      return event.text;
  }
}

const ROLE_TEXT: Record<'owner' | 'admin' | 'member', string> = {
  owner: 'the owner',
  admin: 'an admin',
  member: 'a member',
};

function who(p: EventPerson, capital = false): string {
  if (p.self) return capital ? 'You' : 'you';
  if (p.name.trim() !== '') return p.name;
  return capital ? 'Someone' : 'someone';
}

/** "Bob", "Bob and Cy", "Bob, Cy and Dee". */
function listOf(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
