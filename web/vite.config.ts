import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = path.dirname(fileURLToPath(import.meta.url));

/**
 * The portal's build. `npm run build:portal` (bin/build-portal.js) uses this file; for live editing run
 * `npx vite --config web/vite.config.ts` beside a server on port 18081 (API calls are proxied there).
 */
export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.join(webRoot, 'dist'),
    emptyOutDir: true,
    // No inline scripts: the server sends a strict Content-Security-Policy with the portal.
    modulePreload: { polyfill: false },
    sourcemap: true,
    chunkSizeWarningLimit: 600,
    // Two pages: the portal, and the Phone App's Teams tab (web/phone-app/tab.html, its own small bundle).
    rollupOptions: {
      input: {
        portal: path.join(webRoot, 'index.html'),
        'phone-app-tab': path.join(webRoot, 'phone-app', 'tab.html'),
      },
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    host: '127.0.0.1',
    proxy: { '/api': 'http://127.0.0.1:18081' },
  },
  logLevel: 'warn',
});
