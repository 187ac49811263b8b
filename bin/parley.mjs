#!/usr/bin/env node
// The `parley` command: runs the bundled CLI (src-main/cli, built by `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = fileURLToPath(new URL('../out/cli/parley.mjs', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('parley: not built yet; run `npm run build` in the Parley folder first.\n');
  process.exit(1);
}
await import(pathToFileURL(entry).href);
