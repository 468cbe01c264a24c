import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  consentCategories,
  contextLimits,
  HostErrorCodes,
  hostCommands,
  hostEventNames,
  hostLimits,
} from '@causette/events'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { contextDefaults } from './create-context-store.js'
import { identityDefaults } from './create-identity.js'
import { createWidgetRuntime } from './create-widget.js'
import { installGlobal } from './install-global.js'
import { widgetDefaults } from './options.js'
import { availabilityDefaults } from './rules/create-availability.js'
import { snippetCode } from './test-support.js'

// Vitest runs from the repository root (vite.config.ts).
const doc = readFileSync(join(process.cwd(), 'docs/host-api.md'), 'utf8')
const snippetsDir = join(process.cwd(), 'packages/widget/src/docs-snippets')
const snippets = readdirSync(snippetsDir)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ file, text: readFileSync(join(snippetsDir, file), 'utf8') }))

/** Table rows as trimmed cells: `| \`ready\` | ... |` is ['`ready`', ...]. */
const rows = doc
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .map((line) =>
    line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim()),
  )
const row = (name: string) => rows.find((cells) => cells[0] === `\`${name}\``)

describe('docs/host-api.md', () => {
  test('prints the snippet byte for byte, with its size', () => {
    expect(doc).toContain(`<script>${snippetCode}</script>`)
    expect(doc).toContain(`The snippet is ${Buffer.byteLength(snippetCode)} bytes`)
  })

  test('every TypeScript example is a type-checked file of docs-snippets/, and every file is shown', () => {
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1])
    expect(blocks.length).toBeGreaterThan(0)
    for (const block of blocks) {
      expect(
        snippets.some((snippet) => snippet.text === block),
        `an example of docs/host-api.md is not in docs-snippets/:\n${block}`,
      ).toBe(true)
    }
    for (const snippet of snippets) expect(blocks, snippet.file).toContain(snippet.text)
  })

  test('documents every command with its signature', () => {
    for (const command of hostCommands) {
      expect(doc, command).toMatch(new RegExp(`^### \`${command}\\(`, 'm'))
    }
  })

  test('lists every event, every error code with its retry rule, every consent category', () => {
    for (const name of hostEventNames) expect(row(name), name).toBeDefined()
    for (const [code, { retryable }] of Object.entries(HostErrorCodes)) {
      expect(row(code)?.[1], code).toBe(retryable ? 'yes' : 'no')
    }
    for (const category of consentCategories) expect(row(category), category).toBeDefined()
  })

  test('lists every limit and default with its value', () => {
    const values = {
      ...Object.fromEntries(Object.entries(hostLimits).map(([k, v]) => [`hostLimits.${k}`, v])),
      'contextLimits.keyMaxLength': contextLimits.keyMaxLength,
      'contextLimits.keysPerScope': contextLimits.keysPerScope,
      'contextLimits.stringValueMax': contextLimits.stringValueMax,
      'contextLimits.eventNamesMax': contextLimits.eventNamesMax,
      'contextLimits.updateBytesMax': contextLimits.updateBytesMax,
      'contextDefaults.sessionIdleMs': contextDefaults.sessionIdleMs,
      'widgetDefaults.contextDelayMs': widgetDefaults.contextDelayMs,
      'widgetDefaults.loadTimeoutMs': widgetDefaults.loadTimeoutMs,
      'availabilityDefaults.cacheMs': availabilityDefaults.cacheMs,
      'identityDefaults.providerTimeoutMs': identityDefaults.providerTimeoutMs,
      'identityDefaults.refreshMarginMs': identityDefaults.refreshMarginMs,
    }
    for (const [name, value] of Object.entries(values)) {
      expect(row(name)?.[1], name).toBe(String(value))
    }
  })
})

describe('the examples run', () => {
  afterEach(() => {
    document.body.replaceChildren()
    localStorage.clear()
    vi.unstubAllGlobals()
  })

  test('npm usage: a widget on the page, context kept for the conversation', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined)
    await import('./docs-snippets/npm-usage.js')
    expect(document.querySelectorAll('[data-causette]')).toHaveLength(1)
    log.mockRestore()
  })

  test('script tag calls: run by the live global, the GA4 event normalized', async () => {
    const runtime = createWidgetRuntime({
      siteId: 'demo',
      serverUrl: 'https://chat.example.com',
      storage: null,
    })
    const scope: Record<string, unknown> = {}
    installGlobal(scope, runtime)
    vi.stubGlobal('Causette', scope.Causette)
    await import('./docs-snippets/script-tag-calls.js')
    const host = await runtime.host()
    await vi.waitFor(() =>
      expect(host.context()).toMatchObject({
        session: { campaign: 'spring-sale' },
        events: { 'Product Added': 1 },
        cart: { item_count: 1, value: 112, currency: 'EUR' },
        page_view: { type: 'product', product: { product_id: 'P-42', name: 'Plum vase' } },
      }),
    )
    runtime.widget.destroy()
  })
})
