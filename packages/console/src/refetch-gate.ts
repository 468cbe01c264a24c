/** The clock and timers a gate uses; tests pass fake ones. */
export interface GateClock {
  now(): number
  setTimeout(run: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface RefetchGateOptions {
  /** The fetch. It should not reject; a gate runs one at a time. */
  readonly run: () => Promise<void>
  /** Least time between the starts of two runs. */
  readonly minIntervalMs: number
  /** When an earlier run for the same thing started (epoch ms), to space the first run too. */
  readonly lastStartedAt?: number | undefined
  /** Told the start time of every run, to pass on as `lastStartedAt` to a later gate. */
  readonly onStart?: (at: number) => void
  /** @default the global clock and timers */
  readonly clock?: GateClock | undefined
}

/** Asks for fetches of one thing and gets them spaced out. */
export interface RefetchGate {
  /**
   * Asks for a run: now, or once `minIntervalMs` has passed since the last start, or after the
   * run in flight. Requests made while one is waiting are merged into it; none is lost.
   */
  request(): void
  /** Cancels a waiting run; a run in flight is left to finish (its caller ignores the result). */
  dispose(): void
}

const globalClock: GateClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/**
 * Spaces out the fetches of one thing (a conversation's details): bursts of requests (a visitor
 * typing, a reconnection) make at most one run per `minIntervalMs`, and the last request is
 * always followed by a run that starts after it.
 *
 * @example
 * const gate = createRefetchGate({ run: fetchDetail, minIntervalMs: 1000 })
 * gate.request() // runs now
 * gate.request() // runs once, a second after the first started
 */
export function createRefetchGate(options: RefetchGateOptions): RefetchGate {
  const { run, minIntervalMs, onStart } = options
  const clock = options.clock ?? globalClock
  let lastStart = options.lastStartedAt
  let timer: unknown
  let waiting = false
  let running = false
  let again = false
  let disposed = false

  function start() {
    waiting = false
    timer = undefined
    if (disposed) return
    running = true
    const at = clock.now()
    lastStart = at
    onStart?.(at)
    void run().finally(() => {
      running = false
      if (again) {
        again = false
        request()
      }
    })
  }

  function request() {
    if (disposed || waiting) return
    if (running) {
      again = true
      return
    }
    // A clock set back must not hold the next run for longer than the interval.
    const wait =
      lastStart === undefined ? 0 : Math.min(lastStart + minIntervalMs - clock.now(), minIntervalMs)
    if (wait <= 0) {
      start()
      return
    }
    waiting = true
    timer = clock.setTimeout(start, wait)
  }

  return {
    request,
    dispose() {
      disposed = true
      if (waiting) clock.clearTimeout(timer)
      waiting = false
    },
  }
}
