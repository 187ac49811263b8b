import type { Core } from '../core/core';
import { CliFailure } from './cliError';
import type { CliIo } from './io';
import { readPassphrase } from './passphraseInput';

/**
 * For the commands that open a profile in this process (search, backup and
 * node when no node holds it): a missing or damaged profile and a wrong
 * passphrase end the command with one clear line, naming the folder.
 * `whenNone` says what to do when the folder holds no profile.
 */
export async function unlockHere(core: Core, io: CliIo, whenNone: string): Promise<void> {
  const status = core.profile.status();
  if (status.state === 'none')
    throw new CliFailure(`There is no profile in ${core.profile.dir}; ${whenNone}`);
  if (status.state === 'damaged') {
    throw new CliFailure(status.problem ?? `The profile in ${core.profile.dir} is damaged.`);
  }
  const passphrase = await readPassphrase(io, { confirm: false });
  const unlocked = await core.dispatch('profile.unlock', { passphrase });
  if (!unlocked.ok) throw new CliFailure(unlocked.error.message);
}
