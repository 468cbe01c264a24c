import { describe, expect, test, vi } from 'vitest'
import { availabilityDefaults, createAvailability } from './create-availability.js'

function setup(answers: Array<number | Error | undefined>) {
  const online = (total: number) => ({ total })
  let now = 0
  const ask = vi.fn(() => {
    const next = answers.shift()
    if (next === undefined) return undefined
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(online(next))
  })
  const availability = createAvailability({ ask, now: () => now })
  return { availability, ask, advance: (ms: number) => (now += ms) }
}

describe('createAvailability', () => {
  test('asks once, keeps the answer for cacheMs, then asks again', async () => {
    const { availability, ask, advance } = setup([2, 0])
    expect(availability.current()).toBeUndefined()
    await availability.refresh()
    expect(availability.current()).toEqual({ total: 2 })
    advance(availabilityDefaults.cacheMs - 1)
    expect(availability.refresh()).toBeUndefined()
    expect(ask).toHaveBeenCalledTimes(1)
    advance(1)
    expect(availability.current()).toBeUndefined()
    await availability.refresh()
    expect(availability.current()).toEqual({ total: 0 })
    expect(ask).toHaveBeenCalledTimes(2)
  })

  test('one request at a time', async () => {
    const { availability, ask } = setup([3])
    const first = availability.refresh()
    expect(availability.refresh()).toBe(first)
    await first
    expect(ask).toHaveBeenCalledTimes(1)
  })

  test('a failure is unknown, kept as long as an answer: no request per trigger', async () => {
    const { availability, ask, advance } = setup([new Error('503'), 1])
    await expect(availability.refresh()).resolves.toBeUndefined()
    expect(availability.current()).toBeUndefined()
    expect(availability.refresh()).toBeUndefined()
    advance(availabilityDefaults.cacheMs)
    await availability.refresh()
    expect(availability.current()).toEqual({ total: 1 })
    expect(ask).toHaveBeenCalledTimes(2)
  })

  test('when it may not ask (no consent), nothing is kept: it asks once it may', async () => {
    const { availability, ask } = setup([undefined, 4])
    expect(availability.refresh()).toBeUndefined()
    await availability.refresh()
    expect(availability.current()).toEqual({ total: 4 })
    expect(ask).toHaveBeenCalledTimes(2)
  })
})
