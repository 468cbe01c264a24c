import * as z from 'zod/mini'
import { isSafeKey } from '../safe-key.js'
import { commerceEventNames } from './commerce-event.js'
import { commerceLimits } from './commerce-limits.js'

const { eventNameMax, keyMax, propertiesMax, stringMax } = commerceLimits

// Names are compared ignoring case so that 'order completed' cannot pass for the real thing
// without its schema (rules and agents would read it as a purchase).
const reservedName = z.superRefine<string>((name, ctx) => {
  const canonical = commerceEventNames.find((n) => n.toLowerCase() === name.toLowerCase())
  if (canonical) {
    ctx.addIssue({
      code: 'custom',
      input: name,
      message: `reserved for the commerce event '${canonical}', which must match its schema`,
    })
  }
})

/** The name of an event: 1 to 64 characters, no control characters. */
export const EventName = /* @__PURE__ */ z.string().check(
  z.trim(),
  z.minLength(1),
  z.maxLength(eventNameMax),
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them
  z.refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'control characters are not allowed'),
)

/** A property key: a letter then letters, digits or `_`; prototype names refused. */
export const PropertyName = /* @__PURE__ */ z.string().check(
  z.maxLength(keyMax),
  z.refine(
    (k) => isSafeKey(k, keyMax),
    'expected a letter then letters, digits or _ (constructor and prototype are reserved)',
  ),
)

/** A property value: a JSON primitive. */
export const PropertyValue = /* @__PURE__ */ z.union([
  z.string().check(z.maxLength(stringMax)),
  z.number(),
  z.boolean(),
  z.null(),
])

/** Properties of a custom event: at most `commerceLimits.propertiesMax` primitives. */
export const Properties = /* @__PURE__ */ z.pipe(
  // Checked on the raw object, before zod copies it: zod drops a `__proto__` key silently, and a
  // huge object is refused before any work is spent on its keys.
  z.unknown().check(
    z.superRefine((raw, ctx) => {
      if (typeof raw !== 'object' || raw === null) return
      if (Object.hasOwn(raw, '__proto__')) {
        ctx.addIssue({ code: 'custom', input: raw, path: ['__proto__'], message: 'reserved key' })
      } else if (Object.keys(raw).length > propertiesMax) {
        ctx.addIssue({
          code: 'custom',
          input: raw,
          message: `at most ${propertiesMax} properties allowed`,
          params: { code: 'limit_exceeded' },
        })
      }
    }),
  ),
  z.record(PropertyName, PropertyValue),
)

/** A custom event: any name that is not a commerce event's, with primitive properties. */
export const CustomEvent = /* @__PURE__ */ z.object({
  event: EventName.check(reservedName),
  properties: z.optional(Properties),
})
export type CustomEvent = z.infer<typeof CustomEvent>
