import * as z from 'zod/mini'
import { weekdays } from './fact-catalogue.js'
import { isTimeZone } from './local-time.js'
import { ruleLimits } from './rule-limits.js'

/** An IANA time zone name, checked against the runtime's own list through `Intl`. */
export const TimeZone = /* @__PURE__ */ z
  .string()
  .check(
    z.maxLength(ruleLimits.timeZoneMax),
    z.refine(isTimeZone, 'unknown time zone: use an IANA name such as Europe/Paris'),
  )

const wallClock = /* @__PURE__ */ z
  .string()
  .check(z.regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM'))

/** Days and local hours; `to` before `from` runs past midnight into the next day. */
export const ScheduleWindow = /* @__PURE__ */ z
  .strictObject({
    days: z.array(z.enum(weekdays)).check(
      z.minLength(1),
      z.maxLength(7),
      z.refine((days) => new Set(days).size === days.length, 'a day is listed twice'),
    ),
    from: wallClock,
    to: wallClock,
  })
  .check(
    z.refine((w) => w.from !== w.to && w.from !== '24:00', {
      message: 'from must differ from to and be before 24:00 (use 00:00 to 24:00 for a whole day)',
    }),
  )
export type ScheduleWindow = z.infer<typeof ScheduleWindow>

/** Weekly opening windows in a time zone, read on the local wall clock of that zone. */
export const Schedule = /* @__PURE__ */ z.strictObject({
  time_zone: TimeZone,
  windows: z.array(ScheduleWindow).check(z.minLength(1), z.maxLength(ruleLimits.windowsMax)),
})
export type Schedule = z.infer<typeof Schedule>
