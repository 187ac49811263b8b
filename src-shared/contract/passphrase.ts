/**
 * The passphrase policy both sides share: the renderer shows it while the user
 * types, the core enforces it. The key that protects everything at rest is
 * derived from this passphrase, so a floor on its length is a security rule,
 * not a UI nicety. Strength beyond the floor is estimated by the renderer
 * (zxcvbn) and shown as feedback.
 */
export const PASSPHRASE_MIN_LENGTH = 8;
export const PASSPHRASE_MAX_LENGTH = 1024;
export const DISPLAY_NAME_MAX_LENGTH = 64;

export function passphraseProblem(passphrase: string): string | null {
  if ([...passphrase].length < PASSPHRASE_MIN_LENGTH) {
    return `Use at least ${PASSPHRASE_MIN_LENGTH} characters.`;
  }
  if (passphrase.length > PASSPHRASE_MAX_LENGTH) {
    return `Use at most ${PASSPHRASE_MAX_LENGTH} characters.`;
  }
  if (passphrase.trim().length === 0) {
    return 'A passphrase cannot be only spaces.';
  }
  return null;
}
