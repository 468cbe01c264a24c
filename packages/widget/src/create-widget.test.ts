import { afterEach, describe, expect, test } from 'vitest'
import { createWidget } from './index.js'

describe('createWidget', () => {
  afterEach(() => {
    document.body.replaceChildren()
  })

  test('creating a widget touches nothing; mount adds one shadow-rooted host with a launcher', () => {
    const globalsBefore = Object.keys(globalThis).length
    const widget = createWidget({ siteId: 'demo', serverUrl: 'http://localhost:1', storage: null })
    expect(document.body.children).toHaveLength(0)
    widget.mount()
    widget.mount()
    const hosts = document.querySelectorAll('[data-causette]')
    expect(hosts).toHaveLength(1)
    const root = hosts[0]?.shadowRoot
    const launcher = root?.querySelector('button.launcher')
    expect(launcher?.getAttribute('aria-label')).toBe('Open chat')
    expect(launcher?.getAttribute('aria-expanded')).toBe('false')
    expect(root?.querySelector('.panel')?.hasAttribute('hidden')).toBe(true)
    expect(Object.keys(globalThis).length).toBe(globalsBefore)
    widget.unmount()
    expect(document.querySelectorAll('[data-causette]')).toHaveLength(0)
  })

  test('open before mount is a programmer error that names the state', async () => {
    const widget = createWidget({ siteId: 'demo', serverUrl: 'http://localhost:1', storage: null })
    await expect(widget.open()).rejects.toThrow('widget is not mounted: call mount() first')
  })

  test('styles are adopted, never injected as <style> or style attributes', () => {
    const widget = createWidget({ siteId: 'demo', serverUrl: 'http://localhost:1', storage: null })
    widget.mount()
    const root = document.querySelector('[data-causette]')?.shadowRoot
    expect(root?.querySelector('style')).toBeNull()
    expect(root?.querySelector('[style]')).toBeNull()
    widget.unmount()
  })
})
