import { defineConfig } from 'vitest/config';

/** Slow suites (soak, chaos, crash-kill): `npm run test:long`. */
export default defineConfig({
  test: {
    include: ['src-main/**/*.long.test.ts'],
    maxWorkers: 1,
    testTimeout: 30 * 60_000,
  },
});
