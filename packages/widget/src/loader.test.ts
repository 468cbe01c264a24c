import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { globalName } from './install-global.js'
import { runSnippet, settle, snippetMin } from './test-support.js'

type Causette = ((command: string, ...args: unknown[]) => Promise<unknown>) & { q?: unknown[] }
const scope = globalThis as unknown as Record<string, unknown>

afterAll(() => {
  delete scope[globalName]
  document.head.replaceChildren()
  document.body.replaceChildren()
})

test('the loader reads its tag, runs the snippet queue in order and installs the live global', async () => {
  // The loader's own tag; not a script type the test DOM would try to load.
  const tag = document.createElement('script')
  tag.type = 'text/plain'
  // The loader finds its tag by its own URL (import.meta.url); under the test runner, a file URL.
  tag.src = pathToFileURL(join(process.cwd(), 'packages/widget/src/loader.ts')).href
  tag.dataset.site = 'demo'
  tag.dataset.consent = 'required'
  tag.dataset.title = 'Help'
  document.head.append(tag)

  runSnippet(snippetMin, scope, {
    url: location.href,
    title: document.title,
    referrer: document.referrer,
  })
  const queued = scope[globalName] as Causette
  const set = queued('set', 'visitor', { plan: 'gold' })
  const open = queued('open').catch((error: unknown) => error)
  expect(queued.q).toHaveLength(2)

  await import('./loader.js')
  await settle()
  const live = scope[globalName] as Causette
  expect(live).not.toBe(queued)
  expect(live.q).toBeUndefined()
  await expect(set).resolves.toBeUndefined()
  // data-consent="required": chat waits for consent, and the launcher with it.
  expect(await open).toMatchObject({ name: 'CausetteError', code: 'consent_required' })
  await expect(live('consent', {})).resolves.toMatchObject({ functionality_storage: 'denied' })
  const root = document.querySelector('[data-causette]')?.shadowRoot
  expect(root?.querySelector('.launcher')?.hasAttribute('hidden')).toBe(true)
  await expect(live('init')).rejects.toMatchObject({ code: 'invalid_state' })
})
