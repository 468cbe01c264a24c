// `npm start`: builds what is missing, then runs the server on PORT (8080) with data in ./.causette.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const outputs = [
  'packages/events/dist/index.js',
  'packages/transport/dist/index.js',
  'packages/widget/dist/cdn/loader.js',
  'packages/server/dist/cli.js',
  'packages/console/dist/index.html',
]
if (outputs.some((file) => !existsSync(file))) {
  console.log('Building Causette (first start)…')
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)
}
// In this process, so that SIGTERM and Ctrl-C reach the server's graceful drain directly.
await import('../packages/server/dist/cli.js')
