/**
 * Builds the no-code app into web/dist, which `kiln serve` serves at `/`. Run from the repository root
 * with `npm run build:web` (or through vite's JS API, as the browser test does).
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// the folder of this file, whatever the working directory (URL keeps this file free of Node's types)
const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // one small bundle: no chart library, no router library
    chunkSizeWarningLimit: 400,
    sourcemap: false,
  },
  server: {
    // `npx vite web` during development: the API comes from a running `kiln serve`
    proxy: { '/api': 'http://127.0.0.1:8080', '/v1': 'http://127.0.0.1:8080', '/v2': 'http://127.0.0.1:8080' },
  },
});
