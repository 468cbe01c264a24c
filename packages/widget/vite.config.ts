import { defaultClientConditions, defineConfig } from 'vite'

// Two builds of one source:
// - `vite build` (cdn): what the script tag loads from /widget/: loader.js (launcher, host element,
//   config) and a chat chunk (transport, Preact panel) fetched only when a conversation needs it.
// - `vite build --mode lib`: the npm entry, with its dependencies left as imports.
export default defineConfig(({ mode }) => ({
  // Library builds leave process.env.NODE_ENV to their consumer; the CDN files are the consumer.
  ...(mode === 'lib' ? {} : { define: { 'process.env.NODE_ENV': '"production"' } }),
  resolve: { conditions: ['source', ...defaultClientConditions] },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build:
    mode === 'lib'
      ? {
          outDir: 'dist/lib',
          emptyOutDir: true,
          sourcemap: true,
          lib: { entry: 'src/index.ts', formats: ['es'], fileName: 'index' },
          rolldownOptions: { external: [/^preact/, /^@causette\//, /^zod/] },
        }
      : {
          outDir: 'dist/cdn',
          emptyOutDir: true,
          sourcemap: true,
          target: 'es2020',
          // Built as a library so that Vite wraps no dynamic import in its preload helper: that
          // helper dispatches `vite:preloadError` on the shop's window when a chunk fails to
          // load, and Vite-built shops answer that event with location.reload().
          lib: { entry: { loader: 'src/loader.ts' }, formats: ['es'] },
          minify: true,
          rolldownOptions: {
            // The chunks import what they share with the loader from loader.js, as before.
            preserveEntrySignatures: 'allow-extension',
            output: {
              entryFileNames: '[name].js',
              chunkFileNames: '[name]-[hash].js',
              minify: true,
            },
          },
        },
}))
