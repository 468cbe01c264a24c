import { expect, test } from 'vitest'
import { createTokenBucket } from './token-bucket.js'

test('token bucket grants a burst, then refills at the sustained rate', () => {
  let now = 0
  const bucket = createTokenBucket(10, 3, () => now)
  expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0])
  expect(bucket.take()).toBe(100)
  now += 100
  expect(bucket.take()).toBe(0)
  expect(bucket.take()).toBeGreaterThan(0)
  now += 10_000
  expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0, 100])
})
