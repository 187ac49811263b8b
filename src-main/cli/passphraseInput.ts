import { UsageError } from './cliError';
import type { CliIo } from './io';

export const PASSPHRASE_ENV = 'PARLEY_PASSPHRASE';

/** From PARLEY_PASSPHRASE, else an interactive prompt (twice when creating), never argv. */
export async function readPassphrase(io: CliIo, { confirm }: { confirm: boolean }): Promise<string> {
  const fromEnv = io.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!io.promptSecret) {
    throw new UsageError(
      `No passphrase: set ${PASSPHRASE_ENV} or run this command in a terminal to be asked.`,
    );
  }
  const first = await io.promptSecret('Passphrase: ');
  if (confirm) {
    const second = await io.promptSecret('Repeat passphrase: ');
    if (first !== second) throw new UsageError('The two passphrases differ. Nothing was created.');
  }
  return first;
}
