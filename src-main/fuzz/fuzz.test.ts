import fc from 'fast-check';
import { describe, it } from 'vitest';
import { corpus, inputsFor } from './fuzzInputs';
import { fuzzTargets } from './fuzzTargets';

/**
 * The short fuzzing run (issue #14): every decoder that takes bytes or text
 * from outside gets its corpus replayed and a few hundred generated inputs,
 * in seconds. `npm run test:long` runs the same targets for minutes
 * (fuzz.long.test.ts). A failure prints fast-check's seed and path: replay it
 * with FUZZ_SEED=<seed> FUZZ_PATH=<path>, and add the shrunk input to
 * ./corpus/<target>/ once fixed.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const PATH = process.env.FUZZ_PATH;

describe('fuzzing every decoder of outside input (short run)', () => {
  for (const target of fuzzTargets()) {
    it(`${target.name}: the corpus, then ${RUNS} generated inputs`, async () => {
      for (const input of [...target.seeds(), ...corpus(target.name)]) await target.run(input);
      await fc.assert(
        fc.asyncProperty(inputsFor(target), async (input) => {
          await target.run(input);
        }),
        { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), ...(PATH ? { path: PATH } : {}) },
      );
    });
  }
});
