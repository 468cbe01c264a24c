import { describe, expect, test } from 'vitest'
import { globalName } from './install-global.js'
import { runSnippet, snippetCode, snippetMin, snippetSource } from './test-support.js'

describe('the inline snippet', () => {
  test('its minified copy is at most 600 bytes', () => {
    expect(Buffer.byteLength(snippetMin, 'utf8')).toBeLessThanOrEqual(600)
    expect(Buffer.byteLength(snippetCode, 'utf8')).toBeLessThan(300)
  })

  for (const [name, code] of [
    ['snippet.js', snippetSource],
    ['snippet.min.js', snippetMin],
  ] as const) {
    test(`${name} only sets up a queue: one global, no request, no storage, no DOM`, async () => {
      const scope: Record<string, unknown> = {}
      const page = { url: 'https://shop.test/a', title: 'A', referrer: 'https://search.test/' }
      const setup = runSnippet(code, scope, page)
      expect(setup).toEqual([`window.${globalName}`, `window.${globalName}=`])
      expect(Object.keys(scope)).toEqual([globalName])
      const causette = scope[globalName] as ((...args: unknown[]) => Promise<unknown>) & {
        q: unknown[]
      }
      const pending = causette('track', 'Product Viewed', { product_id: '42' })
      expect(pending).toBeInstanceOf(Promise)
      // A call reads the page it is made on, and nothing else.
      expect(setup.slice(2)).toEqual(['location.href', 'document.title', 'document.referrer'])
      expect(causette.q).toEqual([
        [
          'track',
          ['Product Viewed', { product_id: '42' }],
          page,
          expect.any(Number),
          expect.any(Function),
          expect.any(Function),
        ],
      ])
      // A second copy of the snippet (or of the loader's global) changes nothing.
      const before = scope[globalName]
      runSnippet(code, scope, page)
      expect(scope[globalName]).toBe(before)
      // Settling is the loader's job: the queued promise resolves through the entry.
      const entry = causette.q[0] as unknown[]
      ;(entry[4] as (value: unknown) => void)('done')
      await expect(pending).resolves.toBe('done')
    })
  }

  test('both copies queue the same entries', () => {
    const page = { url: 'https://shop.test/b', title: 'B', referrer: '' }
    const queues = [snippetSource, snippetMin].map((code) => {
      const scope: Record<string, unknown> = {}
      runSnippet(code, scope, page)
      const causette = scope[globalName] as ((...args: unknown[]) => unknown) & { q: unknown[][] }
      causette('set', 'visitor', { plan: 'gold' })
      causette('open')
      return causette.q.map((entry) => entry.slice(0, 3))
    })
    expect(queues[0]).toEqual(queues[1])
  })
})
