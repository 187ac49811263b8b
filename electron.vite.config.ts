import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

/**
 * Three bundles: main (Electron shell + the core), preload (the contract
 * bridge; CommonJS because sandboxed preloads cannot be ES modules), and the
 * renderer (React). Native modules stay external: they are loaded at run time
 * from node_modules (or Electron's own build of better-sqlite3, see README).
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve('src-main/app/main.ts'),
          // Worker threads for long store work (src-main/core/workers/runWorker.ts finds them beside index.js).
          'integrityCheck.worker': resolve('src-main/core/workers/integrityCheck.worker.ts'),
          'backupSnapshot.worker': resolve('src-main/core/workers/backupSnapshot.worker.ts'),
          'walCheckpoint.worker': resolve('src-main/core/workers/walCheckpoint.worker.ts'),
          'vacuumConvert.worker': resolve('src-main/core/workers/vacuumConvert.worker.ts'),
          // Checks downloaded file chunks off the main thread (src-main/core/files/chunkChecker.ts).
          'chunkCheck.worker': resolve('src-main/core/workers/chunkCheck.worker.ts'),
          // The history snapshot and its import on a linked device (src-main/core/history/).
          'historySnapshot.worker': resolve('src-main/core/workers/historySnapshot.worker.ts'),
          'historyImport.worker': resolve('src-main/core/workers/historyImport.worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    build: {
      outDir: 'out/renderer',
      // electron-vite leaves the renderer unminified by default; the web shell serves it over HTTP too.
      minify: true,
      rollupOptions: { input: { index: resolve('src-renderer/index.html') } },
    },
    plugins: [react()],
  },
});
