import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCREENSHOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../screenshots');
const SCHEMES = ['light', 'dark'] as const;

/** Axe with the WCAG 2.x A/AA rules plus best practices; the list is printed so a failure says what to fix. */
export async function expectNoAxeViolations(page: Page, label: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const summary = violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`,
  );
  expect(summary, `axe violations on ${label}`).toEqual([]);
}

/**
 * Waits until no CSS transition is running and two frames have been drawn. Axe reads
 * computed colours: halfway through a colour-scheme switch (or a hover fading out) it
 * measures a mix of both schemes. Reduced motion shortens transitions to 0.01 ms, but
 * they still end on a frame, and a loaded machine draws frames late.
 */
async function settled(page: Page): Promise<void> {
  // e2e/ compiles without the DOM library, and the app's CSP refuses string scripts:
  // functions that name the few browser globals they use.
  type Win = {
    document: { getAnimations(): { playState: string; constructor: { name: string } }[] };
    requestAnimationFrame(callback: () => void): number;
  };
  await page.waitForFunction(
    () =>
      (globalThis as unknown as Win).document
        .getAnimations()
        .every((a) => a.constructor.name !== 'CSSTransition' || a.playState !== 'running'),
    undefined,
    { timeout: 5_000 },
  );
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const win = globalThis as unknown as Win;
        win.requestAnimationFrame(() => win.requestAnimationFrame(() => resolve()));
      }),
  );
}

/**
 * Checks one screen in both colour schemes: axe must be clean in each (contrast
 * differs), and a screenshot goes to e2e/screenshots/<name>-<scheme>.png for
 * people to look at. Leaves the page in the light scheme.
 */
export async function checkScreen(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await settled(page);
    await expectNoAxeViolations(page, `${name} (${colorScheme})`);
    await page.screenshot({
      path: join(SCREENSHOT_DIR, `${name}-${colorScheme}.png`),
      fullPage: true,
      animations: 'disabled',
      caret: 'hide',
    });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** checkScreen at the narrow (800×600) and the wide (1600×1000) window size: `<name>-narrow-*`, `<name>-wide-*`. */
export async function checkScreenSizes(page: Page, name: string): Promise<void> {
  const before = page.viewportSize();
  for (const [label, size] of [
    ['narrow', { width: 800, height: 600 }],
    ['wide', { width: 1600, height: 1000 }],
  ] as const) {
    await page.setViewportSize(size);
    await checkScreen(page, `${name}-${label}`);
  }
  if (before) await page.setViewportSize(before);
}
