import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * Built into dist/ and served by the Gatehouse server at `/` (server: src/console-ui/). `npm run
 * dev` serves it on :5173 and forwards the console API to a server on :8080.
 */
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline script: the server's Content-Security-Policy allows scripts from 'self' only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: { '/console/api': 'http://127.0.0.1:8080', '/api': 'http://127.0.0.1:8080' },
  },
});
