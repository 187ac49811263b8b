import type { MessageExtras } from '../../../../src-shared/contract/areas/messages';
import { reactorsLabel } from './reactions';

/**
 * Reaction chips under a message: emoji and count, ours highlighted; a
 * click adds ours or takes it back.
 */
export function ReactionBar({
  reactions,
  onToggle,
}: {
  reactions: MessageExtras['reactions'];
  onToggle: (emoji: string) => void;
}) {
  if (reactions.length === 0) return null;
  return (
    <div className="reactions" data-testid="reactions" role="group" aria-label="Reactions">
      {reactions.map((r) => {
        const label = reactorsLabel(r);
        return (
          <button
            key={r.emoji}
            type="button"
            className={`reaction-chip${r.mine ? ' reaction-chip--mine' : ''}`}
            data-testid="reaction-chip"
            data-emoji={r.emoji}
            data-mine={r.mine || undefined}
            aria-pressed={r.mine}
            aria-label={`${label}${r.mine ? '. Click to remove yours' : ''}`}
            title={label}
            onClick={() => onToggle(r.emoji)}
          >
            <span aria-hidden="true">{r.emoji}</span>
            <span className="reaction-chip__count" aria-hidden="true">
              {r.count}
            </span>
          </button>
        );
      })}
    </div>
  );
}
