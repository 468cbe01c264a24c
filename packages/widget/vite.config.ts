import { defaultClientConditions, defineConfig } from 'vite'

// Two builds of one source:
// - `vite build` (cdn): what the script tag loads from /widget/: loader.js (launcher, host element,
//   config) and a chat chunk (transport, Preact panel) fetched only when a conversation needs it.
// - `vite build --mode lib`: the npm entry, with its dependencies left as imports.
export default defineConfig(({ mode }) => ({
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
          modulePreload: false,
          rolldownOptions: {
            input: { loader: 'src/loader.ts' },
            output: {
              entryFileNames: '[name].js',
              chunkFileNames: '[name]-[hash].js',
            },
          },
        },
}))
