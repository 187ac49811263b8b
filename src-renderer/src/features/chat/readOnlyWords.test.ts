import { describe, expect, it } from 'vitest';
import type { ReadOnlyReason } from '../../../../src-shared/contract';
import { readOnlyWords } from './readOnlyWords';

describe('readOnlyWords', () => {
  const cases: Array<[ReadOnlyReason, string]> = [
    [{ kind: 'left' }, 'You left this group.'],
    [{ kind: 'removed' }, 'You were removed from this group.'],
    [{ kind: 'replaced' }, 'This profile was restored on another device, which took over this conversation.'],
    [{ kind: 'dmClosed' }, 'This conversation has ended on this device.'],
    [{ kind: 'blocked' }, 'You blocked Bob.'],
    [{ kind: 'contactRemoved' }, 'You removed Bob from your contacts.'],
    [
      { kind: 'restoring', waitingFor: [], others: 0 },
      'Waiting for a group member to come online to finish restoring this conversation.',
    ],
    [
      { kind: 'restoring', waitingFor: ['Bob'], others: 0 },
      'Waiting for Bob to come online to finish restoring this conversation.',
    ],
    [
      { kind: 'restoring', waitingFor: ['Ada', 'Bob'], others: 0 },
      'Waiting for Ada or Bob to come online to finish restoring this conversation.',
    ],
    [
      { kind: 'restoring', waitingFor: ['Ada'], others: 1 },
      'Waiting for Ada or one other member to come online to finish restoring this conversation.',
    ],
    [
      { kind: 'restoring', waitingFor: ['Ada', 'Bob', 'Carl'], others: 2 },
      'Waiting for Ada, Bob, Carl or 2 other members to come online to finish restoring this conversation.',
    ],
  ];
  it.each(cases)('%j', (reason, words) => {
    expect(readOnlyWords(reason, 'Bob')).toBe(words);
  });
});
