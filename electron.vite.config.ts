import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));
const r = (...p: string[]) => resolve(root, ...p);

/**
 * Renderer pages: one build, one HTML entry per page under renderer/<name>/index.html.
 * The console host serves 'wall' (the wall screen) at /wall/; a later issue adds 'desk'. The hub
 * serves 'field' at /field/ (server/routes/field-page.ts).
 */
export const RENDERER_PAGES = ['console', 'field', 'report', 'wall'] as const;

export default defineConfig({
  main: {
    build: {
      outDir: r('out/main'),
      rollupOptions: {
        input: { index: r('electron/main/index.ts') },
        // native module: loaded from node_modules (asar-unpacked) at run time, never bundled
        external: ['better-sqlite3'],
      },
    },
  },
  preload: {
    build: {
      outDir: r('out/preload'),
      rollupOptions: {
        input: { index: r('electron/preload/index.ts') },
        // sandboxed preloads cannot be ES modules
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: r('renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: r('out/renderer'),
      emptyOutDir: true,
      // electron-vite leaves renderer code unminified; the same bundle also goes to browsers
      minify: 'esbuild',
      rollupOptions: {
        // zod ships comments rollup cannot place; harmless, and noise in every build
        onwarn(warning, warn) {
          if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
          warn(warning);
        },
        input: Object.fromEntries(RENDERER_PAGES.map((p) => [p, r('renderer', p, 'index.html')])),
      },
    },
  },
});
