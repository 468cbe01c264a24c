import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { createCallQueue } from './create-call-queue.js'

/** A load the test settles by hand; every call to `load` is a new attempt. */
function controlledLoad() {
  const attempts: Array<{ resolve: (part: string) => void; reject: (error: Error) => void }> = []
  const load = () =>
    new Promise<string>((resolve, reject) => {
      attempts.push({ resolve, reject })
    })
  return { load, attempts }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('createCallQueue', () => {
  test('runs at once what needs nothing while nothing waits; then keeps call order', async () => {
    const { load, attempts } = controlledLoad()
    const queue = createCallQueue(load)
    const ran: string[] = []
    const run = (name: string) => (part: string | undefined) => {
      ran.push(`${name}:${part ?? '-'}`)
      return name
    }
    await expect(queue.submit(false, run('a'))).resolves.toBe('a')
    expect(attempts).toHaveLength(0)
    const b = queue.submit(true, run('b'))
    const c = queue.submit(false, run('c'))
    const d = queue.submit(true, run('d'))
    expect(ran).toEqual(['a:-'])
    // One load for everything that waits.
    expect(attempts).toHaveLength(1)
    attempts[0]?.resolve('P')
    await expect(Promise.all([b, c, d])).resolves.toEqual(['b', 'c', 'd'])
    expect(ran).toEqual(['a:-', 'b:P', 'c:P', 'd:P'])
    expect(queue.loaded()).toBe('P')
    await queue.submit(false, run('e'))
    expect(ran.at(-1)).toBe('e:P')
  })

  test('a failed load rejects the calls that needed it, runs the others in order, and the next call loads again', async () => {
    const { load, attempts } = controlledLoad()
    const queue = createCallQueue(load)
    const ran: string[] = []
    const run = (name: string) => () => ran.push(name)
    const failure = new Error('chunk blocked')
    const a = queue.submit(true, run('a'))
    const b = queue.submit(false, run('b'))
    const c = queue.submit(true, run('c'))
    attempts[0]?.reject(failure)
    await expect(a).rejects.toBe(failure)
    await expect(b).resolves.toBe(1)
    await expect(c).rejects.toBe(failure)
    expect(ran).toEqual(['b'])
    expect(queue.loaded()).toBeUndefined()
    const d = queue.submit(true, run('d'))
    expect(attempts).toHaveLength(2)
    attempts[1]?.resolve('P')
    await expect(d).resolves.toBe(2)
    expect(ran).toEqual(['b', 'd'])
  })

  test('what a call runs while the queue drains goes last, behind the calls already waiting', async () => {
    const { load, attempts } = controlledLoad()
    const queue = createCallQueue(load)
    const ran: string[] = []
    let nested: Promise<unknown> | undefined
    void queue.submit(true, () => {
      ran.push('a')
      nested = queue.submit(false, () => ran.push('nested'))
    })
    void queue.submit(false, () => ran.push('b'))
    attempts[0]?.resolve('P')
    await flush()
    await nested
    expect(ran).toEqual(['a', 'b', 'nested'])
  })

  test('a throwing call rejects with what it threw; the calls after it still run', async () => {
    const { load, attempts } = controlledLoad()
    const queue = createCallQueue(load)
    const bad = new Error('bad argument')
    const a = queue.submit(true, () => {
      throw bad
    })
    const b = queue.submit(false, () => 'b')
    attempts[0]?.resolve('P')
    await expect(a).rejects.toBe(bad)
    await expect(b).resolves.toBe('b')
  })

  test('abort rejects every waiting call; a load that lands later runs none of them', async () => {
    const { load, attempts } = controlledLoad()
    const queue = createCallQueue(load)
    let ran = 0
    const a = queue.submit(true, () => ran++)
    const b = queue.submit(false, () => ran++)
    const destroyed = new Error('destroyed')
    queue.abort(destroyed)
    await expect(a).rejects.toBe(destroyed)
    await expect(b).rejects.toBe(destroyed)
    attempts[0]?.resolve('P')
    await flush()
    expect(ran).toBe(0)
  })
})

type Op =
  | { readonly kind: 'call'; readonly needs: boolean }
  | { readonly kind: 'arrive' }
  | { readonly kind: 'fail' }

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.boolean().map((needs) => ({ kind: 'call' as const, needs })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'arrive' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'fail' as const }) },
)

describe('the call queue, whatever the timing of loads and failures', () => {
  test('every call settles once; calls run in call order; only calls that needed a failed load reject', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const { load, attempts } = controlledLoad()
        const queue = createCallQueue(load)
        const failure = new Error('load failed')
        const ran: number[] = []
        const calls: Array<{ needs: boolean; settled: number; error?: unknown }> = []
        let settledAttempts = 0
        for (const [index, step] of ops.entries()) {
          if (step.kind === 'call') {
            const id = calls.length
            const record: (typeof calls)[number] = { needs: step.needs, settled: 0 }
            calls.push(record)
            queue
              .submit(step.needs, (part) => {
                if (step.needs) expect(part).toBe('P')
                ran.push(id)
              })
              .then(
                () => record.settled++,
                (error: unknown) => {
                  record.settled++
                  record.error = error
                },
              )
          } else if (settledAttempts < attempts.length) {
            const attempt = attempts[settledAttempts++]
            if (step.kind === 'arrive') attempt?.resolve('P')
            else attempt?.reject(failure)
          }
          // Let some steps happen before the queue has reacted, others after.
          if (index % 2 === 0) await flush()
        }
        // In the end the part arrives: nothing may wait for ever.
        for (const attempt of attempts.slice(settledAttempts)) attempt.resolve('P')
        await flush()
        await flush()
        expect(calls.every((c) => c.settled === 1)).toBe(true)
        expect(ran).toEqual([...ran].sort((a, b) => a - b))
        for (const [id, c] of calls.entries()) {
          if (c.error === undefined) expect(ran).toContain(id)
          else {
            expect(c.needs).toBe(true)
            expect(c.error).toBe(failure)
            expect(ran).not.toContain(id)
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})
