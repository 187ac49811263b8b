import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Builds once when the outputs the web shell serves are missing. An existing
 * build is reused as is (rebuild with `npm run build` after changing sources):
 * building on every run would double the suite's time.
 */
export default function globalSetup(): void {
  const needed = ['out/renderer/index.html', 'out/cli/parley.mjs'];
  const missing = needed.filter((file) => !existsSync(resolve(root, file)));
  if (missing.length === 0) return;
  console.log(`[e2e] ${missing.join(', ')} missing; running npm run build`);
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}
