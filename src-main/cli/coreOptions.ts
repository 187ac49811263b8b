import { resolve } from 'node:path';
import type { CoreOptions } from '../core/core';
import { posixTimeLocale } from '../core/host/timeLocale';
import { createJsonLogger, type Logger } from '../core/util/logger';
import pkg from '../../package.json' with { type: 'json' };
import type { CliIo } from './io';

export const VERSION: string = pkg.version;

/** Tests and benchmarks set this to create profiles with a cheap Argon2id cost. Never for real use. */
export const FAST_KDF_ENV = 'PARLEY_KDF_FAST';
const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

/** Core options shared by every command; logs go to stderr as JSON lines so stdout stays scriptable. */
export function cliCoreOptions(
  profileDir: string,
  shell: CoreOptions['shell'],
  io: CliIo,
): CoreOptions & { logger: Logger } {
  const fast = io.env[FAST_KDF_ENV] === '1';
  if (fast) io.stderr(`warning: ${FAST_KDF_ENV}=1: new profiles get a weak key derivation (tests only)\n`);
  return {
    profileDir: resolve(profileDir),
    shell,
    version: VERSION,
    logger: createJsonLogger(
      (line) => io.stderr(`${line}\n`),
      io.env.PARLEY_LOG === 'debug' ? 'debug' : 'warn',
    ),
    ...(fast ? { kdfCost: FAST_KDF } : {}),
    // The web shell's page writes times in this machine's region format, as the desktop app does.
    timeLocale: posixTimeLocale(io.env),
  };
}
