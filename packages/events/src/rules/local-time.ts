import { type Weekday, weekdays } from './fact-catalogue.js'
import { ruleLimits } from './rule-limits.js'
import type { Schedule, ScheduleWindow } from './schedule.js'

// One formatter per time zone, made on first use: building an Intl.DateTimeFormat costs far more
// than formatting with it, and schedules, caps and `now.*` facts read the clock on every trigger.
// Only zones the runtime knows are kept, so the cache is bounded by the IANA list (a few hundred);
// formatters are immutable, so sharing them between widgets shares no state.
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat | undefined {
  if (timeZone.length === 0 || timeZone.length > ruleLimits.timeZoneMax) return undefined
  let formatter = formatters.get(timeZone)
  if (formatter) return formatter
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
  } catch {
    return undefined
  }
  formatters.set(timeZone, formatter)
  return formatter
}

/** Whether the runtime knows `name` as a time zone (IANA names such as `Europe/Paris`); never throws. */
export function isTimeZone(name: string): boolean {
  return formatterFor(name) !== undefined
}

/** The wall-clock reading of an instant in a time zone. */
export interface LocalTime {
  readonly weekday: Weekday
  /** Minutes since local midnight, 0 to 1439. */
  readonly minutes: number
  /** The local calendar date, `YYYY-MM-DD`. */
  readonly date: string
}

/** Reads the local wall clock at `now` (ms since the epoch) in `timeZone`; undefined if either is invalid. */
export function localTime(now: number, timeZone: string): LocalTime | undefined {
  const formatter = Number.isFinite(now) ? formatterFor(timeZone) : undefined
  if (!formatter) return undefined
  const parts = formatter.formatToParts(now)
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? ''
  const weekday = get('weekday').slice(0, 3).toLowerCase() as Weekday
  if (!weekdays.includes(weekday)) return undefined
  return {
    weekday,
    minutes: (Number(get('hour')) % 24) * 60 + Number(get('minute')),
    date: `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`,
  }
}

function toMinutes(clock: string): number {
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3))
}

function previousDay(day: Weekday): Weekday {
  return weekdays[(weekdays.indexOf(day) + 6) % 7] ?? day
}

/** Whether a window contains a local time; an overnight window belongs to the day it starts on. */
export function windowContains(window: ScheduleWindow, local: LocalTime): boolean {
  const from = toMinutes(window.from)
  const to = toMinutes(window.to)
  const t = local.minutes
  if (from < to) return window.days.includes(local.weekday) && t >= from && t < to
  return (
    (window.days.includes(local.weekday) && t >= from) ||
    (window.days.includes(previousDay(local.weekday)) && t < to)
  )
}

function formatLocal(local: LocalTime): string {
  const h = Math.floor(local.minutes / 60)
  const m = local.minutes % 60
  return `${local.weekday} ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`
}

function formatWindow(w: ScheduleWindow): string {
  return `${w.days.join(',')} ${w.from}-${w.to}`
}

/**
 * Whether `now` falls in the schedule, with a one-line reason. Local times that a DST change
 * skips never occur, so a window opening in the gap opens at the first instant after it; local
 * times that repeat fall in the window both times.
 */
export function inSchedule(schedule: Schedule, now: number): { pass: boolean; reason: string } {
  const local = localTime(now, schedule.time_zone)
  if (!local) return { pass: false, reason: `unknown time zone ${schedule.time_zone}` }
  const hit = schedule.windows.find((w) => windowContains(w, local))
  const at = `${formatLocal(local)} ${schedule.time_zone}`
  return hit
    ? { pass: true, reason: `${at} is within ${formatWindow(hit)}` }
    : { pass: false, reason: `${at} is outside ${schedule.windows.map(formatWindow).join('; ')}` }
}
