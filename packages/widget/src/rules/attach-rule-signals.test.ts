import { describe, expect, it, vi } from 'vitest'
import { attachRuleSignals } from './attach-rule-signals.js'
import type { RuleRunner } from './create-rule-runner.js'

function fakeRunner() {
  return {
    pageView: vi.fn(),
    event: vi.fn(),
    setHidden: vi.fn(),
    activity: vi.fn(),
    exitIntent: vi.fn(),
    seen: vi.fn(),
    interacted: vi.fn(),
    engaged: vi.fn(),
    dispose: vi.fn(),
  } satisfies RuleRunner
}

function setVisibility(state: 'visible' | 'hidden') {
  Object.defineProperty(document, 'visibilityState', { value: state, configurable: true })
  document.dispatchEvent(new Event('visibilitychange'))
}

describe('attachRuleSignals', () => {
  it('reports visibility, at once and on change', () => {
    const runner = fakeRunner()
    setVisibility('visible')
    const detach = attachRuleSignals(runner, window)
    expect(runner.setHidden).toHaveBeenLastCalledWith(false)
    setVisibility('hidden')
    expect(runner.setHidden).toHaveBeenLastCalledWith(true)
    setVisibility('visible')
    expect(runner.setHidden).toHaveBeenLastCalledWith(false)
    detach()
  })

  it('throttles activity', () => {
    const runner = fakeRunner()
    let t = 0
    const detach = attachRuleSignals(runner, window, { throttleMs: 1000, now: () => t })
    window.dispatchEvent(new Event('pointermove'))
    window.dispatchEvent(new Event('scroll'))
    window.dispatchEvent(new Event('keydown'))
    expect(runner.activity).toHaveBeenCalledTimes(1)
    t = 1000
    window.dispatchEvent(new Event('touchstart'))
    expect(runner.activity).toHaveBeenCalledTimes(2)
    detach()
  })

  it('reports exit intent when the pointer leaves through the top only', () => {
    const runner = fakeRunner()
    const detach = attachRuleSignals(runner, window)
    document.dispatchEvent(new MouseEvent('mouseout', { clientY: 300, relatedTarget: null }))
    document.dispatchEvent(new MouseEvent('mouseout', { clientY: 0, relatedTarget: document.body }))
    expect(runner.exitIntent).not.toHaveBeenCalled()
    document.dispatchEvent(new MouseEvent('mouseout', { clientY: -2, relatedTarget: null }))
    expect(runner.exitIntent).toHaveBeenCalledTimes(1)
    detach()
  })

  it('removes every listener it added', () => {
    const runner = fakeRunner()
    const added: unknown[][] = []
    const removed: unknown[][] = []
    const spy = (target: EventTarget) => {
      const add = target.addEventListener.bind(target)
      const remove = target.removeEventListener.bind(target)
      vi.spyOn(target, 'addEventListener').mockImplementation((...args) => {
        added.push([target, ...args])
        add(...args)
      })
      vi.spyOn(target, 'removeEventListener').mockImplementation((...args) => {
        removed.push([target, ...args])
        remove(...args)
      })
    }
    spy(window)
    spy(document)
    const detach = attachRuleSignals(runner, window, { now: () => 0 })
    expect(added.length).toBeGreaterThan(0)
    detach()
    expect(removed).toEqual(added)
    vi.restoreAllMocks()
    const calls = runner.setHidden.mock.calls.length
    setVisibility('hidden')
    window.dispatchEvent(new Event('pointermove'))
    document.dispatchEvent(new MouseEvent('mouseout', { clientY: 0, relatedTarget: null }))
    expect(runner.setHidden).toHaveBeenCalledTimes(calls)
    expect(runner.activity).not.toHaveBeenCalled()
    expect(runner.exitIntent).not.toHaveBeenCalled()
  })
})
