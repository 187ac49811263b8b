import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a profile lives when --profile is not given, following each OS's convention for app data. */
export function defaultProfileDir(
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Parley', 'profile');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Parley', 'profile');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'Parley', 'profile');
}
