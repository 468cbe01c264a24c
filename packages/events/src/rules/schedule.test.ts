import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { weekdays } from './fact-catalogue.js'
import { inSchedule, isTimeZone, localTime } from './local-time.js'
import type { Schedule, ScheduleWindow } from './schedule.js'

// Reference local time, read through another Intl path: the sv-SE format ("2024-03-31 03:00")
// and the weekday computed from the calendar date.
function referenceLocal(now: number, timeZone: string) {
  const text = new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(now)
  const [, y, m, d, hh, mm] = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text) ?? []
  const day = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d))).getUTCDay()
  return {
    weekday: weekdays[(day + 6) % 7],
    minutes: Number(hh) * 60 + Number(mm),
    date: `${y}-${m}-${d}`,
  }
}

function referenceIn(schedule: Schedule, now: number): boolean {
  const local = referenceLocal(now, schedule.time_zone)
  const prev = weekdays[(weekdays.indexOf(local.weekday ?? 'mon') + 6) % 7]
  const mins = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))
  return schedule.windows.some((w) => {
    const from = mins(w.from)
    const to = mins(w.to)
    const today = w.days.some((d) => d === local.weekday)
    const yesterday = w.days.some((d) => d === prev)
    if (from < to) return today && local.minutes >= from && local.minutes < to
    return (today && local.minutes >= from) || (yesterday && local.minutes < to)
  })
}

const zones = [
  'Europe/Paris',
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'UTC',
]
// DST changes, in UTC: Paris and New York, spring and autumn, 2024 to 2026.
const transitions = [
  '2024-03-31T01:00Z',
  '2024-10-27T01:00Z',
  '2025-03-30T01:00Z',
  '2025-10-26T01:00Z',
  '2026-03-29T01:00Z',
  '2024-03-10T07:00Z',
  '2024-11-03T06:00Z',
  '2025-03-09T07:00Z',
  '2025-11-02T06:00Z',
].map((t) => Date.parse(t))

const clock = fc
  .tuple(fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) =>
    h === 24 ? '24:00' : `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`,
  )
const window: fc.Arbitrary<ScheduleWindow> = fc
  .record({
    days: fc.uniqueArray(fc.constantFrom(...weekdays), { minLength: 1, maxLength: 7 }),
    from: clock.filter((c) => c !== '24:00'),
    to: clock,
  })
  .filter((w) => w.from !== w.to)
const schedule = (zone: fc.Arbitrary<string>) =>
  fc.record({ time_zone: zone, windows: fc.array(window, { minLength: 1, maxLength: 3 }) })

const paris: Schedule = {
  time_zone: 'Europe/Paris',
  windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '19:00' }],
}
const at = (iso: string) => inSchedule(paris, Date.parse(iso)).pass

describe('schedules', () => {
  it('validates time zones without throwing', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true)
    expect(isTimeZone('America/New_York')).toBe(true)
    for (const bad of ['', 'Mars/Olympus', 'x'.repeat(100), 'Europe/Paris\u0000'])
      expect(isTimeZone(bad)).toBe(false)
  })

  it('keeps 09:00-19:00 Europe/Paris on local time across the spring change', () => {
    // Friday 29 March 2024 is CET (UTC+1); Monday 1 April is CEST (UTC+2).
    expect(at('2024-03-29T07:59Z')).toBe(false)
    expect(at('2024-03-29T08:00Z')).toBe(true)
    expect(at('2024-03-29T17:59Z')).toBe(true)
    expect(at('2024-03-29T18:00Z')).toBe(false)
    expect(at('2024-04-01T06:59Z')).toBe(false)
    expect(at('2024-04-01T07:00Z')).toBe(true)
    expect(at('2024-04-01T16:59Z')).toBe(true)
    expect(at('2024-04-01T17:00Z')).toBe(false)
  })

  it('keeps 09:00-19:00 Europe/Paris on local time across the autumn change', () => {
    expect(at('2024-10-25T07:00Z')).toBe(true) // Friday 09:00 CEST
    expect(at('2024-10-26T08:00Z')).toBe(false) // Saturday
    expect(at('2024-10-28T07:59Z')).toBe(false) // Monday 08:59 CET
    expect(at('2024-10-28T08:00Z')).toBe(true)
    expect(at('2024-10-28T18:00Z')).toBe(false)
    expect(inSchedule(paris, Date.parse('2024-10-28T08:00Z')).reason).toBe(
      'mon 09:00 Europe/Paris is within mon,tue,wed,thu,fri 09:00-19:00',
    )
  })

  it('opens a window that starts in a skipped hour at the first instant after it', () => {
    // 31 March 2024: Paris clocks jump from 02:00 to 03:00 at 01:00 UTC.
    const gap: Schedule = {
      time_zone: 'Europe/Paris',
      windows: [{ days: ['sun'], from: '02:30', to: '03:30' }],
    }
    expect(inSchedule(gap, Date.parse('2024-03-31T00:59Z')).pass).toBe(false)
    expect(inSchedule(gap, Date.parse('2024-03-31T01:00Z')).pass).toBe(true)
    expect(inSchedule(gap, Date.parse('2024-03-31T01:29Z')).pass).toBe(true)
    expect(inSchedule(gap, Date.parse('2024-03-31T01:30Z')).pass).toBe(false)
  })

  it('counts a repeated hour twice', () => {
    // 3 November 2024: New York clocks go back from 02:00 EDT to 01:00 EST at 06:00 UTC.
    const repeated: Schedule = {
      time_zone: 'America/New_York',
      windows: [{ days: ['sun'], from: '01:00', to: '01:30' }],
    }
    const pass = (iso: string) => inSchedule(repeated, Date.parse(iso)).pass
    expect([
      pass('2024-11-03T05:00Z'),
      pass('2024-11-03T05:29Z'),
      pass('2024-11-03T05:30Z'),
    ]).toEqual([true, true, false])
    expect([
      pass('2024-11-03T06:00Z'),
      pass('2024-11-03T06:29Z'),
      pass('2024-11-03T06:30Z'),
    ]).toEqual([true, true, false])
  })

  it('runs an overnight window into the next day', () => {
    const night: Schedule = {
      time_zone: 'UTC',
      windows: [{ days: ['fri'], from: '22:00', to: '02:00' }],
    }
    expect(inSchedule(night, Date.parse('2024-03-29T23:00Z')).pass).toBe(true) // Friday
    expect(inSchedule(night, Date.parse('2024-03-30T01:59Z')).pass).toBe(true) // Saturday
    expect(inSchedule(night, Date.parse('2024-03-30T02:00Z')).pass).toBe(false)
    expect(inSchedule(night, Date.parse('2024-03-30T23:00Z')).pass).toBe(false)
  })

  it('property: local time agrees with the Intl reference', () => {
    const instant = fc.integer({ min: Date.parse('1990-01-01'), max: Date.parse('2040-01-01') })
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), (now, zone) => {
        const local = localTime(now, zone)
        expect(local).toEqual(referenceLocal(now, zone))
      }),
      { numRuns: 500 },
    )
  })

  it('property: schedules agree with the reference around DST changes in Paris and New York', () => {
    const nearChange = fc
      .tuple(fc.constantFrom(...transitions), fc.integer({ min: -36 * 60, max: 36 * 60 }))
      .map(([t, minutes]) => t + minutes * 60_000)
    fc.assert(
      fc.property(
        schedule(fc.constantFrom('Europe/Paris', 'America/New_York')),
        nearChange,
        (s, now) => {
          expect(inSchedule(s, now).pass).toBe(referenceIn(s, now))
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('property: schedules agree with the reference in any zone', () => {
    const instant = fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2030-01-01') })
    fc.assert(
      fc.property(schedule(fc.constantFrom(...zones)), instant, (s, now) => {
        expect(inSchedule(s, now).pass).toBe(referenceIn(s, now))
      }),
      { numRuns: 500 },
    )
  })

  it('property: 09:00-19:00 Paris holds at every local minute of a working day, either side of a change', () => {
    // Every instant whose Paris wall clock reads a working-day time in the window is inside it.
    const instant = fc
      .tuple(
        fc.constantFrom(...transitions.slice(0, 5)),
        fc.integer({ min: -7 * 1440, max: 7 * 1440 }),
      )
      .map(([t, minutes]) => t + minutes * 60_000)
    fc.assert(
      fc.property(instant, (now) => {
        const local = referenceLocal(now, 'Europe/Paris')
        const working = !['sat', 'sun'].includes(local.weekday ?? '')
        const expected = working && local.minutes >= 9 * 60 && local.minutes < 19 * 60
        expect(inSchedule(paris, now).pass).toBe(expected)
      }),
      { numRuns: 1000 },
    )
  })
})

describe('an unknown time zone', () => {
  it('fails the schedule, saying why, and reads no clock', () => {
    const schedule = {
      time_zone: 'Mars/Olympus_Mons',
      windows: [{ days: ['mon'], from: '00:00', to: '23:59' }],
    } as Schedule
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false)
    expect(localTime(Date.UTC(2026, 0, 5, 12), 'Mars/Olympus_Mons')).toBeUndefined()
    expect(inSchedule(schedule, Date.UTC(2026, 0, 5, 12))).toEqual({
      pass: false,
      reason: 'unknown time zone Mars/Olympus_Mons',
    })
  })
})
