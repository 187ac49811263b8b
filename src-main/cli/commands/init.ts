import { createCore } from '../../core/core';
import type { CommandSpec } from '../commandSpec';
import { CliFailure, UsageError, EXIT_OK } from '../cliError';
import { cliCoreOptions } from '../coreOptions';
import { defaultProfileDir } from '../defaultProfileDir';
import { PASSPHRASE_ENV, readPassphrase } from '../passphraseInput';
import { profileOption } from '../profileOption';

export const initCommand: CommandSpec = {
  name: 'init',
  summary: 'Create a new encrypted profile',
  details: `The passphrase comes from ${PASSPHRASE_ENV} or is asked for twice in the terminal; never from the command line.`,
  options: [
    profileOption,
    { name: 'name', type: 'string', value: 'NAME', description: 'your display name', required: true },
  ],
  async run(values, io) {
    const profileDir = typeof values.profile === 'string' ? values.profile : defaultProfileDir(io.env);
    const name = values.name;
    if (typeof name !== 'string') throw new UsageError('--name is required.');
    const core = createCore(cliCoreOptions(profileDir, 'cli', io));
    try {
      const status = await core.dispatch('profile.status', {});
      if (status.ok && (status.value as { state: string }).state !== 'none') {
        throw new CliFailure(`A profile already exists in ${core.profile.dir}; it is never overwritten.`);
      }
      const passphrase = await readPassphrase(io, { confirm: true });
      const reply = await core.dispatch('profile.create', { displayName: name, passphrase });
      if (!reply.ok) throw new CliFailure(reply.error.message);
      io.stdout(`Created an encrypted profile for ${name.trim()} in ${core.profile.dir}\n`);
      return EXIT_OK;
    } finally {
      await core.close();
    }
  },
};
