import { describe, expect, it } from 'vitest';
import { reactorsLabel, toggleReaction } from './reactions';

describe('toggleReaction', () => {
  it('adds a new emoji as ours', () => {
    expect(toggleReaction([], '👍')).toEqual({
      on: true,
      next: [{ emoji: '👍', count: 1, mine: true, names: ['You'] }],
    });
  });
  it('joins an emoji others used, and takes ours back (dropping an empty chip)', () => {
    const theirs = [{ emoji: '👍', count: 1, mine: false, names: ['Ada'] }];
    const joined = toggleReaction(theirs, '👍');
    expect(joined).toEqual({
      on: true,
      next: [{ emoji: '👍', count: 2, mine: true, names: ['Ada', 'You'] }],
    });
    expect(toggleReaction(joined.next, '👍')).toEqual({ on: false, next: theirs });
    expect(toggleReaction([{ emoji: '🎉', count: 1, mine: true, names: ['You'] }], '🎉')).toEqual({
      on: false,
      next: [],
    });
  });
  it('keeps several emoji per user independent', () => {
    const two = toggleReaction(toggleReaction([], '👍').next, '❤️').next;
    expect(two.map((r) => [r.emoji, r.count, r.mine])).toEqual([
      ['👍', 1, true],
      ['❤️', 1, true],
    ]);
    expect(toggleReaction(two, '👍').next.map((r) => r.emoji)).toEqual(['❤️']);
  });
});

describe('reactorsLabel', () => {
  it('names up to three reactors and counts the rest', () => {
    expect(reactorsLabel({ emoji: '👍', count: 1, mine: true, names: ['You'] })).toBe('You reacted with 👍');
    expect(reactorsLabel({ emoji: '👍', count: 2, mine: false, names: ['Ada', 'Bob'] })).toBe(
      'Ada and Bob reacted with 👍',
    );
    expect(reactorsLabel({ emoji: '👍', count: 5, mine: false, names: ['A', 'B', 'C', 'D', 'E'] })).toBe(
      'A, B, C and 2 others reacted with 👍',
    );
  });
});
