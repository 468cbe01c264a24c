import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'

// Vitest runs from the repository root (vite.config.ts).
const packagesDir = join(process.cwd(), 'packages')
/** Packages whose code runs in a browser. */
const browserPackages = ['events', 'transport', 'widget', 'console']

/** What must never appear in browser code: HTML injection and runtime code generation. */
const forbidden = [
  /\.innerHTML\b/,
  /\.outerHTML\b/,
  /insertAdjacentHTML/,
  /dangerouslySetInnerHTML/,
  /document\.write/,
  /\beval\(/,
  /new Function\(/,
  /\.setAttribute\(\s*['"]style['"]/,
]

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter(
      (f) =>
        /\.(ts|tsx)$/.test(f) &&
        !/(\.test\.tsx?|test-support\.ts)$/.test(f) &&
        !f.includes('server/'),
    )
    .map((f) => join(dir, f))
}

test('no browser package injects HTML or generates code at run time', () => {
  const offences: string[] = []
  for (const name of browserPackages) {
    for (const file of sources(join(packagesDir, name, 'src'))) {
      const text = readFileSync(file, 'utf8')
      for (const pattern of forbidden) if (pattern.test(text)) offences.push(`${file}: ${pattern}`)
    }
  }
  expect(offences).toEqual([])
})

test('browser entry points never import Node built-ins or the ws package', () => {
  const offences: string[] = []
  for (const name of browserPackages) {
    for (const file of sources(join(packagesDir, name, 'src'))) {
      const text = readFileSync(file, 'utf8')
      if (/from ['"](node:|ws['"])/.test(text)) offences.push(file)
    }
  }
  expect(offences).toEqual([])
})
