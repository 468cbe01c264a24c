/**
 * A message time as agents read it: the time of day for today, the date and time otherwise.
 * Empty for a time that does not parse.
 */
export function formatTime(iso: string, now: Date, locale?: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return ''
  const sameDay = date.toDateString() === now.toDateString()
  const options: Intl.DateTimeFormatOptions = sameDay
    ? { hour: '2-digit', minute: '2-digit' }
    : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
  return new Intl.DateTimeFormat(locale, options).format(date)
}

/** The full date and time, for tooltips. */
export function formatFullTime(iso: string, locale?: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return ''
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' }).format(date)
}

/** An epoch time in ms as an ISO string, or `undefined` when it is no date (NaN, out of range). */
export function isoFromEpoch(ms: number): string | undefined {
  const date = new Date(ms)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}
