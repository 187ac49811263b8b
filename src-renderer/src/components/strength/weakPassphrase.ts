import { preloadStrengthEstimator } from './useStrength';

/**
 * Below this strength-meter score ("Very weak", "Weak") a new passphrase is used
 * only after the user confirms it. "Fair" and up pass: the meter already says
 * how to do better, and asking about every passphrase teaches people to click
 * through.
 */
export const CONFIRM_BELOW_SCORE = 2;

/**
 * Whether a new passphrase is weak enough to ask first. The estimate is made
 * here, at submit, rather than read off the meter: the meter's is debounced and
 * may be one keystroke old. If the estimator cannot load, nobody is stopped.
 */
export async function isWeakPassphrase(passphrase: string, userInputs: readonly string[]): Promise<boolean> {
  try {
    const { estimateStrength } = await preloadStrengthEstimator();
    return estimateStrength(passphrase, [...userInputs]).score < CONFIRM_BELOW_SCORE;
  } catch {
    return false;
  }
}
