import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/chromium';

/**
 * e2e runs the real renderer in Debian's Chromium against `parley web` (see
 * e2e/fixtures/webShell.ts). Playwright's own browser downloads are never used.
 * One worker: every test starts its own shell and profile, but Argon2id and the
 * browser are heavy enough that parallel runs only add flakiness.
 */
export default defineConfig({
  testDir: 'e2e',
  tsconfig: './e2e/tsconfig.json',
  globalSetup: './e2e/globalSetup.ts',
  workers: 1,
  retries: 0,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1120, height: 760 },
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    },
    // The app honours prefers-reduced-motion (base.css); with it, a colour-scheme
    // switch repaints at once, so axe never measures contrast mid-transition.
    reducedMotion: 'reduce',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
