// @vitest-environment node
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

// The script-tag build, made afresh into a temporary directory: what a page view loads is
// checked on the real output, not on the sources (scripts/size.mjs checks the sizes).

// Vitest runs from the repository root (vite.config.ts).
const root = join(process.cwd(), 'packages/widget')
const outDir = mkdtempSync(join(tmpdir(), 'causette-widget-'))
let files: Record<string, string> = {}

beforeAll(async () => {
  await build({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  })
  files = Object.fromEntries(
    readdirSync(outDir)
      .filter((file) => file.endsWith('.js'))
      .map((file) => [file, readFileSync(join(outDir, file), 'utf8')]),
  )
}, 60_000)

afterAll(() => rmSync(outDir, { recursive: true, force: true }))

// Every zod schema carries `_zod`; the minifier keeps property names.
const hasZod = (code: string) => code.includes('_zod')
const named = (prefix: string) => Object.keys(files).find((file) => file.startsWith(prefix)) ?? ''
const dynamicImports = (code: string) =>
  [...code.matchAll(/import\([`"']\.\/([^`"']+)[`"']\)/g)].map((match) => match[1])

describe('the script-tag build', () => {
  test('loader.js (every page view) has no zod and no schema; it imports the personalisation chunk when needed', () => {
    const loader = files['loader.js'] ?? ''
    expect(loader.length).toBeGreaterThan(0)
    expect(hasZod(loader)).toBe(false)
    expect(loader).not.toMatch(/safeParse/)
    expect(dynamicImports(loader)).toEqual([named('personalise-')])
  })

  test('zod lives in one chunk, the personalisation chunk; the chat chunk uses it from there', () => {
    expect(Object.keys(files).filter((file) => hasZod(files[file] ?? ''))).toEqual([
      named('personalise-'),
    ])
    const personalise = files[named('personalise-')] ?? ''
    expect(dynamicImports(personalise)).toEqual([named('chat-')])
    expect(files[named('chat-')]).toMatch(
      new RegExp(`from\\s*[\`"']\\./${named('personalise-').replace('.', '\\.')}[\`"']`),
    )
  })

  test("zod's global config is set once, jitless, in the chunk that loads zod", () => {
    const configured = Object.entries(files).flatMap(([file, code]) =>
      [...code.matchAll(/jitless/g)].map(() => file),
    )
    expect(configured).toEqual([named('personalise-')])
    expect(files[named('personalise-')]).toMatch(/jitless:\s*(!0|true)/)
  })

  test("no file dispatches events on the shop's window when a chunk fails to load", () => {
    // Vite's preload helper fires `vite:preloadError`, which Vite-built shops answer with a
    // page reload: a blocked or missing chunk would reload the shop (the CDN build avoids it).
    for (const [file, code] of Object.entries(files)) {
      expect(code, file).not.toMatch(/vite:preloadError|__vitePreload/)
    }
  })

  test('no file generates code at run time (strict CSP without unsafe-eval)', () => {
    for (const [file, code] of Object.entries(files)) {
      expect(code, file).not.toMatch(/new Function\b|\bFunction\(|\beval\(/)
    }
  })
})
