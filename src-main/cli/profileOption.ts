import type { OptionSpec } from './commandSpec';

/** `--profile DIR`, taken by every command; without it, the per-user default folder. */
export const profileOption: OptionSpec = {
  name: 'profile',
  type: 'string',
  value: 'DIR',
  description: 'profile folder (default: the per-user app data folder)',
};
