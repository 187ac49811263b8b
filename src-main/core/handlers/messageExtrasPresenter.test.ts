import { describe, expect, it } from 'vitest';
import { groupReactions } from './messageExtrasPresenter';

describe('groupReactions', () => {
  it('groups by emoji in first-use order with counts, names and ours flagged', () => {
    const names: Record<string, string> = { me: 'You', a: 'Ada', b: 'Bob' };
    expect(
      groupReactions(
        [
          { emoji: '👍', reactor: 'a' },
          { emoji: '❤️', reactor: 'me' },
          { emoji: '👍', reactor: 'me' },
          { emoji: '👍', reactor: 'b' },
        ],
        'me',
        (k) => names[k] ?? k,
      ),
    ).toEqual([
      { emoji: '👍', count: 3, mine: true, names: ['Ada', 'You', 'Bob'] },
      { emoji: '❤️', count: 1, mine: true, names: ['You'] },
    ]);
  });
});
