import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const dashboardRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * Builds the dashboard into `gateway/dashboard/dist`, which the gateway serves at `/`.
 * Everything is bundled: the page loads nothing from outside the gateway.
 */
export default defineConfig({
  root: dashboardRoot,
  base: '/',
  publicDir: false,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `vite --config gateway/dashboard/vite.config.ts` during development: API calls go to a local gateway.
    proxy: {
      '/graphql': { target: 'http://127.0.0.1:3000', ws: true },
      '/dashboard-config.json': { target: 'http://127.0.0.1:3000' },
    },
  },
});
