import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { setCart } from './cart-snapshot.js'
import { commerceEventNames } from './commerce-event.js'
import { commerceLimits } from './commerce-limits.js'
import { fromDataLayer } from './from-data-layer.js'
import { fromGa4, ga4EventNames } from './from-ga4.js'
import { normalizeEvent } from './normalize-event.js'

const doc = readFileSync(new URL('../../../../docs/events.md', import.meta.url), 'utf8')
// Table rows as trimmed cells: `| \`itemsMax\`   | 100 |` is ['`itemsMax`', '100'].
const rows = doc
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  )
const row = (name: string) => rows.find((cells) => cells[0] === `\`${name}\``)

test('docs/events.md lists every commerce event', () => {
  for (const name of commerceEventNames) expect(row(name), name).toBeDefined()
})

test('docs/events.md lists every limit with its value', () => {
  for (const [name, value] of Object.entries(commerceLimits)) {
    expect(row(name)?.[1], name).toBe(String(value))
  }
})

test('docs/events.md lists every error code and every GA4 event it maps', () => {
  for (const code of ['invalid_argument', 'limit_exceeded', 'currency_mismatch']) {
    expect(row(code), code).toBeDefined()
  }
  expect(ga4EventNames).toHaveLength(15)
  for (const name of ga4EventNames) expect(row(name)?.[1], name).toMatch(/^`[A-Z]/)
})

test('the examples of docs/events.md give what they say', () => {
  const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '')
  const examples = blocks.filter((block) => block.includes('// =>'))
  expect(examples.length).toBeGreaterThanOrEqual(8)
  const api = { normalizeEvent, fromGa4, fromDataLayer, setCart }
  for (const block of examples) {
    const [call = '', said = ''] = block.split('// =>')
    const expected = said.replace(/^\s*\/\/ ?/gm, '')
    // The snippets are plain JavaScript expressions; this is a test, not browser code.
    const run = new Function(...Object.keys(api), `return [${call}, ${expected}]`)
    const [actual, wanted] = run(...Object.values(api))
    expect(actual, call).toEqual(wanted)
  }
})
