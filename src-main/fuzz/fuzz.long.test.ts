import fc from 'fast-check';
import { describe, it } from 'vitest';
import { corpus, inputsFor } from './fuzzInputs';
import { fuzzTargets } from './fuzzTargets';

/**
 * The bounded fuzzing run of `npm run test:long`: each target for up to
 * FUZZ_SECONDS (default 10) or FUZZ_LONG_RUNS inputs (default 200,000),
 * whichever ends first; ~5 minutes for all targets. Same targets, inputs and
 * corpus as the short run in `npm test` (fuzz.test.ts).
 */

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 10);
const RUNS = Number(process.env.FUZZ_LONG_RUNS ?? 200_000);

describe('fuzzing every decoder of outside input (long run)', () => {
  for (const target of fuzzTargets()) {
    it(
      `${target.name}: ${SECONDS} s or ${RUNS} inputs`,
      async () => {
        for (const input of corpus(target.name)) await target.run(input);
        await fc.assert(
          fc.asyncProperty(inputsFor(target), async (input) => {
            await target.run(input);
          }),
          { numRuns: RUNS, interruptAfterTimeLimit: SECONDS * 1000, markInterruptAsFailure: false },
        );
      },
      (SECONDS + 60) * 1000,
    );
  }
});
