import { describe, expect, test } from 'vitest'
import { createRefetchGate, type GateClock } from './refetch-gate.js'

/** A clock whose timers run when the test moves it, and a run the test finishes by hand. */
function setup(options: { lastStartedAt?: number; start?: number } = {}) {
  let now = options.start ?? 10_000
  let next = 0
  const timers = new Map<number, { at: number; run: () => void }>()
  const clock: GateClock = {
    now: () => now,
    setTimeout(run, ms) {
      timers.set(++next, { at: now + ms, run })
      return next
    },
    clearTimeout: (handle) => timers.delete(handle as number),
  }
  const starts: number[] = []
  const finish: Array<() => void> = []
  const gate = createRefetchGate({
    minIntervalMs: 1000,
    lastStartedAt: options.lastStartedAt,
    clock,
    onStart: (at) => starts.push(at),
    run: () => new Promise<void>((resolve) => finish.push(resolve)),
  })
  return {
    gate,
    starts,
    timers,
    /** Finishes the run in flight and lets its follow-up be requested. */
    async done() {
      finish.shift()?.()
      await Promise.resolve()
      await Promise.resolve()
    },
    advance(ms: number) {
      now += ms
      for (const [id, timer] of [...timers]) {
        if (timer.at <= now) {
          timers.delete(id)
          timer.run()
        }
      }
    },
  }
}

describe('createRefetchGate', () => {
  test('runs at once, then merges a burst into one run a second after the first', async () => {
    const { gate, starts, advance, done } = setup()
    gate.request()
    expect(starts).toEqual([10_000])
    await done()
    advance(100)
    gate.request()
    gate.request()
    advance(500)
    gate.request()
    expect(starts).toEqual([10_000])
    advance(399)
    expect(starts).toEqual([10_000])
    advance(1)
    expect(starts).toEqual([10_000, 11_000])
  })

  test('a request during a run is served after it, never alongside', async () => {
    const { gate, starts, advance, done } = setup()
    gate.request()
    advance(2000)
    gate.request()
    gate.request()
    expect(starts).toEqual([10_000])
    await done()
    expect(starts).toEqual([10_000, 12_000])
    await done()
    advance(5000)
    expect(starts).toHaveLength(2)
  })

  test('spaces the first run from an earlier gate, and a clock set back waits no longer than the interval', () => {
    const earlier = setup({ lastStartedAt: 9_700 })
    earlier.gate.request()
    expect(earlier.starts).toEqual([])
    earlier.advance(700)
    expect(earlier.starts).toEqual([10_700])

    const future = setup({ lastStartedAt: 50_000 })
    future.gate.request()
    future.advance(1000)
    expect(future.starts).toEqual([11_000])
  })

  test('dispose cancels a waiting run', () => {
    const { gate, starts, timers, advance } = setup({ lastStartedAt: 9_500 })
    gate.request()
    gate.dispose()
    expect(timers.size).toBe(0)
    advance(5000)
    gate.request()
    expect(starts).toEqual([])
  })
})
