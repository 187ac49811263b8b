/**
 * Writes each target's seeds into ./corpus/<target>/seed-N.bin, beside the
 * inputs kept there by hand (crashes found, edge cases):
 *   node --import tsx src-main/fuzz/writeCorpus.ts
 * Seeds made with this run's random keys stay useful inputs later: they still
 * exercise every field of the format, only their signatures stop verifying.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR } from './fuzzInputs';
import { fuzzTargets } from './fuzzTargets';

for (const target of fuzzTargets()) {
  const dir = join(CORPUS_DIR, target.name);
  mkdirSync(dir, { recursive: true });
  target.seeds().forEach((seed, i) => writeFileSync(join(dir, `seed-${i}.bin`), seed));
}
