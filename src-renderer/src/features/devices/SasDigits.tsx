/**
 * The 6-digit short code both devices show while linking (docs/protocol.md
 * §13.5): large, in two groups of three, read out digit by digit by screen
 * readers so a user comparing by ear hears the same thing as one comparing
 * by eye.
 */
export function SasDigits({ sas, testId }: { sas: string; testId: string }) {
  const digits = sas.replace(/\D/g, '');
  return (
    <p className="sas">
      <span aria-hidden="true" data-testid={testId}>
        {sas}
      </span>
      <span className="visually-hidden">Short code {digits.split('').join(' ')}</span>
    </p>
  );
}
