import { defaultClientConditions, defineConfig } from 'vite'

/** Where a running Causette server answers during `vite` development. */
const devServer = process.env.CAUSETTE_DEV_SERVER ?? 'http://localhost:8080'

// The server serves the build at /console/ under a CSP without 'unsafe-inline': the build
// must emit external scripts and styles only (no module-preload polyfill inlined in the page).
export default defineConfig({
  base: '/console/',
  resolve: { conditions: ['source', ...defaultClientConditions] },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      '/api': devServer,
      '/transport': { target: devServer.replace(/^http/, 'ws'), ws: true },
    },
  },
})
