import { join } from 'node:path';
import { ProfileService } from '../src-main/core/profile/profileService';
import { DEFAULT_KDF, deriveKek } from '../src-main/core/store/keyDerivation';
import { PROFILE_HEADER_FILE, readProfileHeader } from '../src-main/core/store/profileHeader';
import { silentLogger } from '../src-main/core/util/logger';
import { measure, round, summarize, timer, type BenchContext, type BenchResult } from './harness';

/**
 * Unlock = Argon2id with the default cost + unwrapping the data key + opening
 * the SQLCipher database + migration check (budget ≤ 1 s, DESIGN.md §5). A profile is created once with
 * the production KDF cost, then unlocked and locked RUNS times.
 */
const RUNS = 10;
const PASSPHRASE = 'correct horse battery staple';

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const dir = join(ctx.tmpDir, 'profile');
  const profile = new ProfileService({ dir, logger: silentLogger });
  ctx.defer(() => profile.lock());

  ctx.log(
    `creating a profile with Argon2id m=${DEFAULT_KDF.memoryKiB} KiB, t=${DEFAULT_KDF.iterations}, p=${DEFAULT_KDF.parallelism}`,
  );
  const createTime = timer();
  await profile.create('Bench', PASSPHRASE);
  const createMs = createTime();
  profile.lock();

  const unlockMs: number[] = [];
  const lockMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const unlocking = timer();
    const status = await profile.unlock(PASSPHRASE);
    unlockMs.push(unlocking());
    if (status.state !== 'unlocked') throw new Error(`unlock ${i} left the profile ${status.state}`);
    const locking = timer();
    profile.lock();
    lockMs.push(locking());
  }

  const { kdf } = readProfileHeader(join(dir, PROFILE_HEADER_FILE));
  // Argon2id (+ a negligible HKDF step) alone: the part of unlock the KDF cost controls.
  const argonMs = await measure(RUNS, async () => (await deriveKek(PASSPHRASE, kdf)).fill(0));

  return [
    ...summarize('unlock', unlockMs, ['p50', 'p95', 'max']),
    ...summarize('lock', lockMs, ['p50', 'max']),
    ...summarize('argon2id', argonMs, ['p50']),
    { metric: 'create', value: round(createMs), unit: 'ms' },
    { metric: 'argon2id.memory', value: kdf.memoryKiB, unit: 'KiB' },
    { metric: 'argon2id.iterations', value: kdf.iterations, unit: 'passes' },
    { metric: 'argon2id.parallelism', value: kdf.parallelism, unit: 'lanes' },
  ];
}
