import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';
import pkg from './package.json' with { type: 'json' };

/**
 * The headless `parley` command: the same core as the Electron main process,
 * bundled for plain Node. Dependencies stay external (native modules must be
 * loaded from node_modules, not inlined).
 */
const external = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  ...Object.keys(pkg.dependencies),
];

export default defineConfig({
  build: {
    ssr: true,
    outDir: 'out/cli',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    rollupOptions: {
      input: {
        parley: 'src-main/cli/main.ts',
        // Worker threads for long store work (src-main/core/workers/runWorker.ts finds them beside parley.mjs).
        'integrityCheck.worker': 'src-main/core/workers/integrityCheck.worker.ts',
        'backupSnapshot.worker': 'src-main/core/workers/backupSnapshot.worker.ts',
        'walCheckpoint.worker': 'src-main/core/workers/walCheckpoint.worker.ts',
        'vacuumConvert.worker': 'src-main/core/workers/vacuumConvert.worker.ts',
        'chunkCheck.worker': 'src-main/core/workers/chunkCheck.worker.ts',
        'historySnapshot.worker': 'src-main/core/workers/historySnapshot.worker.ts',
        'historyImport.worker': 'src-main/core/workers/historyImport.worker.ts',
      },
      external: (id) => external.some((e) => id === e || id.startsWith(`${e}/`)),
      output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
    },
  },
});
