import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Paths are resolved from this file so the build works from any working directory.
const root = fileURLToPath(new URL('.', import.meta.url));
const api = { '/api': { target: 'http://127.0.0.1:8737', changeOrigin: false } };

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
    modulePreload: { polyfill: false },
    // vega's chunk (~870 kB) is lazy-loaded by the Explore page only, so it does not weigh on first load
    chunkSizeWarningLimit: 1200,
  },
  server: { host: '127.0.0.1', proxy: api },
  preview: { host: '127.0.0.1', proxy: api },
});
