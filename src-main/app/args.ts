import { createHash } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';

/** The product folder under the OS app-data folder; `parley web` defaults to the same one. */
export const APP_FOLDER = 'Parley';

export interface LaunchArgs {
  /** Absolute profile folder from `--profile DIR`, or undefined for the default. */
  profileDir?: string;
}

export type ParseResult = { ok: true; args: LaunchArgs } | { ok: false; message: string };

/**
 * Reads Parley's own switches from the command line. Everything else is left
 * alone: Chromium and Electron put their own switches (`--no-sandbox`,
 * `--inspect=…`) and the app path (`.`) in the same argv.
 */
export function parseArgs(argv: readonly string[], cwd: string): ParseResult {
  let profileDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    let value: string | undefined;
    if (arg === '--profile') {
      value = argv[i + 1];
      i++;
      if (value === undefined || value.startsWith('--')) {
        return { ok: false, message: '--profile needs a folder, for example --profile ~/parley-work.' };
      }
    } else if (arg.startsWith('--profile=')) {
      value = arg.slice('--profile='.length);
    } else {
      continue;
    }
    if (value.trim() === '') return { ok: false, message: '--profile needs a folder, not an empty string.' };
    if (profileDir !== undefined) return { ok: false, message: 'Give --profile only once.' };
    profileDir = isAbsolute(value) ? resolve(value) : resolve(cwd, value);
  }
  return { ok: true, args: profileDir === undefined ? {} : { profileDir } };
}

export interface LaunchPaths {
  profileDir: string;
  /** Electron's userData: Chromium state and the single-instance lock live here. */
  userData: string;
}

/**
 * Where the profile and Electron's own state go. The default profile sits in
 * `<appData>/Parley/profile`. A `--profile` run gets its own userData, named
 * after a hash of the profile path, because `requestSingleInstanceLock()` is
 * keyed on userData: two different profiles may run side by side, the same
 * profile only once.
 */
export function launchPaths(args: LaunchArgs, appData: string): LaunchPaths {
  const base = join(appData, APP_FOLDER);
  if (args.profileDir === undefined) return { userData: base, profileDir: join(base, 'profile') };
  const id = createHash('sha256').update(args.profileDir).digest('hex').slice(0, 16);
  return { userData: join(base, 'instances', id), profileDir: args.profileDir };
}
