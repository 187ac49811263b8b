import { PASSPHRASE_MIN_LENGTH, passphraseProblem } from '../../../src-shared/contract';
import { useStrength, type StrengthState } from './strength/useStrength';

const LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;

export interface StrengthMeterProps {
  passphrase: string;
  /** Words zxcvbn should treat as guessable for this person (their display name). */
  userInputs: readonly string[];
  /** Links the meter's text to the passphrase input via aria-describedby. */
  id?: string;
}

const RULE = `At least ${PASSPHRASE_MIN_LENGTH} characters. A few unrelated words are easy to remember and hard to guess.`;

interface View {
  level: 'none' | 'pending' | 0 | 1 | 2 | 3 | 4;
  label: string | null;
  detail: string[];
}

function view(passphrase: string, state: StrengthState): View {
  // Before typing, the meter's text is the rule itself (the field has no separate hint).
  if (state.kind === 'empty') return { level: 'none', label: null, detail: [RULE] };
  // The core's own floor comes first: no estimate matters if it would be refused.
  const problem = passphraseProblem(passphrase);
  if (problem) return { level: 0, label: 'Too short', detail: [problem] };
  if (state.kind === 'pending') return { level: 'pending', label: 'Checking…', detail: [] };
  if (state.kind === 'unavailable') {
    return {
      level: 'none',
      label: 'Strength unknown',
      detail: ['The strength check could not load. Prefer a few unrelated words.'],
    };
  }
  const { score, warning, suggestions } = state.strength;
  const detail = [warning, ...suggestions].filter((s): s is string => Boolean(s));
  if (detail.length === 0 && score >= 3)
    detail.push('Good choice. Keep it somewhere safe: it cannot be recovered.');
  return { level: score, label: LABELS[score], detail };
}

/**
 * Live strength feedback. The bar is decorative; the label and the advice are
 * text in a polite live region so screen readers hear them after a pause.
 */
export function StrengthMeter({ passphrase, userInputs, id }: StrengthMeterProps) {
  const state = useStrength(passphrase, userInputs);
  const { level, label, detail } = view(passphrase, state);
  const filled = typeof level === 'number' ? level + 1 : 0;
  return (
    <div className={`strength strength--${level}`} data-testid="strength-meter" data-score={level} id={id}>
      <div className="strength__bar" aria-hidden="true">
        {[0, 1, 2, 3, 4].map((i) => (
          <span key={i} className={`strength__segment${i < filled ? ' is-filled' : ''}`} />
        ))}
      </div>
      <div className="strength__text" aria-live="polite">
        {label ? (
          <p className="strength__label">
            <span className="visually-hidden">Passphrase strength: </span>
            <span data-testid="strength-label">{label}</span>
          </p>
        ) : null}
        {detail.length === 1 ? (
          <p className="strength__feedback" data-testid="strength-feedback">
            {detail[0]}
          </p>
        ) : detail.length > 1 ? (
          <ul className="strength__feedback strength__feedback--list" data-testid="strength-feedback">
            {detail.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}
