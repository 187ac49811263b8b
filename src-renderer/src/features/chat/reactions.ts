import type { ReactionSummary } from '../../../../src-shared/contract/areas/messages';

/** The picker's quick choices (the full set is the keyboard's emoji input). */
export const QUICK_EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🙏', '🎉', '👀'] as const;

/**
 * What clicking `emoji` does to a row's reactions: takes ours back when we
 * have it, adds it otherwise. Returns whether it adds and the reactions to
 * show until the core confirms (optimistic).
 */
export function toggleReaction(
  reactions: ReactionSummary[],
  emoji: string,
): { on: boolean; next: ReactionSummary[] } {
  const existing = reactions.find((r) => r.emoji === emoji);
  if (existing?.mine) {
    const next = reactions
      .map((r) =>
        r.emoji === emoji ? { ...r, count: r.count - 1, mine: false, names: removeOnce(r.names, 'You') } : r,
      )
      .filter((r) => r.count > 0);
    return { on: false, next };
  }
  if (existing) {
    return {
      on: true,
      next: reactions.map((r) =>
        r.emoji === emoji ? { ...r, count: r.count + 1, mine: true, names: [...r.names, 'You'] } : r,
      ),
    };
  }
  return { on: true, next: [...reactions, { emoji, count: 1, mine: true, names: ['You'] }] };
}

/** "Ada, Bob and 2 others" for a chip's tooltip. */
export function reactorsLabel(r: ReactionSummary): string {
  const shown = r.names.slice(0, 3);
  const rest = r.count - shown.length;
  const list =
    shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1) ?? ''}`;
  if (rest > 0)
    return `${shown.join(', ')} and ${rest} ${rest === 1 ? 'other' : 'others'} reacted with ${r.emoji}`;
  return `${list} reacted with ${r.emoji}`;
}

function removeOnce(names: string[], name: string): string[] {
  const i = names.indexOf(name);
  return i < 0 ? names : [...names.slice(0, i), ...names.slice(i + 1)];
}
