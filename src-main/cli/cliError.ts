/** A mistake in how the command was called: printed with a hint, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * The command could not do its job (no profile, wrong passphrase, a message
 * that was not delivered): printed as `parley COMMAND: Message.`, exit code 1.
 */
export class CliFailure extends Error {
  override name = 'CliFailure';
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * One shape for every line the CLI prints about a problem, whatever wrote the
 * words (the CLI, the core, SQLite, Node's argument parser): a capital first
 * letter and a closing full stop, so `parley init` and `parley search` read
 * alike.
 */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const first = trimmed.charAt(0);
  const capital = /[a-z]/.test(first) ? first.toUpperCase() + trimmed.slice(1) : trimmed;
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}
