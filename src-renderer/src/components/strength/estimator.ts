import { zxcvbn, zxcvbnOptions } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { englishTranslations } from './translations';

/**
 * Loaded with a dynamic import only when someone types a new passphrase: the
 * dictionaries are several hundred kilobytes and the unlock screen, which most
 * launches show, never needs them.
 */
zxcvbnOptions.setOptions({
  dictionary,
  graphs: adjacencyGraphs,
  translations: englishTranslations,
});

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

export interface Strength {
  score: StrengthScore;
  warning: string | null;
  suggestions: string[];
}

export function estimateStrength(passphrase: string, userInputs: string[]): Strength {
  const result = zxcvbn(passphrase, userInputs);
  return {
    score: result.score,
    warning: result.feedback.warning || null,
    suggestions: result.feedback.suggestions,
  };
}
