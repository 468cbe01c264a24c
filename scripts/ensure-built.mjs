// Builds the workspace if any output that the server serves or runs is missing.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const outputs = [
  'packages/events/dist/index.js',
  'packages/transport/dist/index.js',
  'packages/widget/dist/cdn/loader.js',
  'packages/server/dist/cli.js',
  'packages/console/dist/index.html',
]

export function ensureBuilt() {
  if (outputs.every((file) => existsSync(file))) return
  console.log('Building Causette (outputs missing)…')
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)
}

if (import.meta.url === `file://${process.argv[1]}`) ensureBuilt()
