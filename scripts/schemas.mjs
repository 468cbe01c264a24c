// Writes docs/schemas/*.json from the zod schemas of @causette/events (its built output).
// `npm test` checks that the files are current (packages/events/src/json-schemas.test.ts).
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'

const build = spawnSync('npm', ['run', 'build', '-w', '@causette/events'], { stdio: 'inherit' })
if (build.status !== 0) process.exit(build.status ?? 1)
const { jsonSchemas } = await import('../packages/events/dist/json-schemas.js')
const dir = new URL('../docs/schemas/', import.meta.url)
mkdirSync(dir, { recursive: true })
for (const file of readdirSync(dir)) if (file.endsWith('.json')) rmSync(new URL(file, dir))
const files = jsonSchemas()
for (const [file, text] of files) writeFileSync(new URL(file, dir), text)
console.log(`docs/schemas: ${files.size} files written`)
