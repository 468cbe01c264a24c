import {
  type ConsentCategory,
  consentCategories,
  type HostCommand,
  type HostErrorCode,
  HostErrorCodes,
  type HostEventName,
  hostCommands,
  hostEventNames,
} from '@causette/events'
import { describe, expect, expectTypeOf, test } from 'vitest'
import {
  categoryNames,
  commandNames,
  errorCodes,
  eventNames,
  retryableCodes,
} from './host-names.js'

describe("the loader's copies of the host API's names", () => {
  test('are the lists of @causette/events, in their order', () => {
    expect(commandNames).toEqual(hostCommands)
    expect(eventNames).toEqual(hostEventNames)
    expect(categoryNames).toEqual(consentCategories)
    expect(errorCodes).toEqual(Object.keys(HostErrorCodes))
  })

  test('say which codes are retryable as HostErrorCodes does', () => {
    for (const [code, { retryable }] of Object.entries(HostErrorCodes)) {
      expect(retryableCodes.has(code as HostErrorCode), code).toBe(retryable)
    }
  })

  test('name every member of their types', () => {
    expectTypeOf<Exclude<HostCommand, (typeof commandNames)[number]>>().toBeNever()
    expectTypeOf<Exclude<HostEventName, (typeof eventNames)[number]>>().toBeNever()
    expectTypeOf<Exclude<ConsentCategory, (typeof categoryNames)[number]>>().toBeNever()
    expectTypeOf<Exclude<HostErrorCode, (typeof errorCodes)[number]>>().toBeNever()
  })
})
