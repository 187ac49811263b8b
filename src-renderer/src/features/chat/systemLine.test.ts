import { describe, expect, it } from 'vitest';
import { SystemEvent, type EventPerson } from '../../../../src-shared/contract';
import { systemLine } from './systemLine';

const you: EventPerson = { key: 'aa', name: 'Ann', self: true };
const ann: EventPerson = { key: 'aa', name: 'Ann', self: false };
const bob: EventPerson = { key: 'bb', name: 'Bob', self: false };
const cy: EventPerson = { key: 'cc', name: 'Cy', self: false };
const nameless: EventPerson = { key: 'dd', name: '', self: false };
const meAsSubject: EventPerson = { key: 'ee', name: 'Bob', self: true };

describe('systemLine', () => {
  const cases: Array<[SystemEvent, string]> = [
    [{ kind: 'groupCreated', actor: ann }, 'Ann created the group'],
    [{ kind: 'groupCreated', actor: you }, 'You created the group'],
    [{ kind: 'membersAdded', actor: ann, subjects: [bob] }, 'Ann added Bob'],
    [{ kind: 'membersAdded', actor: you, subjects: [bob, cy] }, 'You added Bob and Cy'],
    [{ kind: 'membersAdded', actor: ann, subjects: [bob, cy, nameless] }, 'Ann added Bob, Cy and someone'],
    [{ kind: 'membersAdded', actor: ann, subjects: [meAsSubject] }, 'Ann added you'],
    [{ kind: 'memberRemoved', actor: ann, subject: bob }, 'Ann removed Bob'],
    [{ kind: 'memberRemoved', actor: ann, subject: meAsSubject }, 'Ann removed you'],
    [{ kind: 'memberLeft', actor: bob }, 'Bob left'],
    [{ kind: 'memberLeft', actor: you }, 'You left'],
    [{ kind: 'memberLeft', actor: nameless }, 'Someone left'],
    [{ kind: 'groupRenamed', actor: ann, name: 'crew' }, 'Ann renamed the group to “crew”'],
    [{ kind: 'roleChanged', actor: ann, subject: bob, role: 'admin' }, 'Ann made Bob an admin'],
    [{ kind: 'roleChanged', actor: you, subject: bob, role: 'owner' }, 'You made Bob the owner'],
    [{ kind: 'roleChanged', actor: ann, subject: meAsSubject, role: 'member' }, 'Ann made you a member'],
    [{ kind: 'timerChanged', actor: ann, ms: 86_400_000 }, 'Ann set disappearing messages to 1 day'],
    [{ kind: 'timerChanged', actor: you, ms: 2_000 }, 'You set disappearing messages to 2 seconds'],
    [{ kind: 'timerChanged', actor: bob, ms: null }, 'Bob turned off disappearing messages'],
    [
      { kind: 'timerChanged', actor: nameless, ms: 300_000 },
      'Someone set disappearing messages to 5 minutes',
    ],
    [{ kind: 'legacy', text: 'Ada added Bob' }, 'Ada added Bob'],
  ];
  it.each(cases)('%j → %s', (event, words) => {
    expect(systemLine(event)).toBe(words);
  });

  it('says a restored device took over, in words the user can act on', () => {
    expect(systemLine({ kind: 'replacedElsewhere' })).toMatch(/restored from a backup on another device/);
  });

  it('covers every kind the contract declares', () => {
    const kinds = new Set([...cases.map(([e]) => e.kind), 'replacedElsewhere']);
    const declared = SystemEvent.options.map((o) => o.shape.kind.value);
    expect([...kinds].sort()).toEqual([...declared].sort());
  });
});
