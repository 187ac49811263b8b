import { useId, type Ref } from 'react';
import { passphraseProblem } from '../../../src-shared/contract/passphrase';
import { PassphraseField } from './PassphraseField';
import { StrengthMeter } from './StrengthMeter';
import { preloadStrengthEstimator } from './strength/useStrength';

/** What is wrong with a new passphrase and its confirmation (the contract's rule, then "again"). */
export function newPassphraseProblems(
  passphrase: string,
  confirmation: string,
): { passphrase: string | null; confirmation: string | null } {
  return {
    passphrase: passphraseProblem(passphrase),
    confirmation:
      confirmation === ''
        ? 'Type the passphrase again to confirm it.'
        : confirmation !== passphrase
          ? 'The passphrases do not match.'
          : null,
  };
}

/**
 * A new passphrase, its strength meter and its confirmation: the block a new
 * profile and a newly linked computer share (onboarding's two ways in).
 * `userInputs` are words the estimator should count as guessable (the
 * display name, the app's name).
 */
export function NewPassphraseFields({
  label,
  testIdPrefix,
  passphrase,
  confirmation,
  onPassphrase,
  onConfirmation,
  errors,
  userInputs,
  passphraseRef,
  confirmationRef,
}: {
  label: string;
  /** `${prefix}-passphrase` and `${prefix}-confirm`. */
  testIdPrefix: string;
  passphrase: string;
  confirmation: string;
  onPassphrase: (value: string) => void;
  onConfirmation: (value: string) => void;
  errors: { passphrase: string | null; confirmation: string | null };
  userInputs: string[];
  passphraseRef: Ref<HTMLInputElement>;
  confirmationRef: Ref<HTMLInputElement>;
}) {
  const meterId = useId();
  return (
    <>
      <PassphraseField
        ref={passphraseRef}
        label={label}
        testId={`${testIdPrefix}-passphrase`}
        autoComplete="new-password"
        value={passphrase}
        onFocus={() => void preloadStrengthEstimator().catch(() => {})}
        onChange={(e) => onPassphrase(e.target.value)}
        error={errors.passphrase}
        aria-describedby={meterId}
      />
      <StrengthMeter id={meterId} passphrase={passphrase} userInputs={userInputs} />
      <PassphraseField
        ref={confirmationRef}
        label="Confirm passphrase"
        testId={`${testIdPrefix}-confirm`}
        autoComplete="new-password"
        value={confirmation}
        onChange={(e) => onConfirmation(e.target.value)}
        error={errors.confirmation}
      />
    </>
  );
}
