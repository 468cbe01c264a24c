/**
 * Host calls in call order over a part of the widget that loads later (the personalisation
 * chunk). A call runs at once when nothing waits before it and it does not need the part, or
 * the part is there; otherwise it waits behind the calls before it. When the part arrives they
 * all run, in order; when it fails to load, those that need it reject and the others run, still
 * in order. Nothing waits for ever and nothing is dropped; the next call that needs the part
 * loads it again.
 */
export interface CallQueue<T> {
  /** The part, once loaded. */
  loaded(): T | undefined
  /** Loads the part (one load at a time; again after a failure). */
  load(): Promise<T>
  /** Runs a call in order; resolves or rejects with what `run` returns or throws. */
  submit(needs: boolean, run: (part: T | undefined) => unknown): Promise<unknown>
  /** Rejects every waiting call with `error` (the widget was destroyed). */
  abort(error: unknown): void
}

interface Waiting<T> {
  readonly needs: boolean
  readonly run: (part: T | undefined) => unknown
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

/** A call queue over `load`; a failed load rejects the calls that needed the part with its error. */
export function createCallQueue<T>(load: () => Promise<T>): CallQueue<T> {
  let part: T | undefined
  let loading: Promise<T> | undefined
  const waiting: Waiting<T>[] = []
  // While waiting calls run, a call they make (a listener calling the host API) goes last.
  let draining = false

  function settle(entry: Waiting<T>) {
    try {
      entry.resolve(entry.run(part))
    } catch (error) {
      entry.reject(error)
    }
  }

  function drain(failure?: { readonly error: unknown }) {
    if (draining) return
    draining = true
    try {
      for (let entry = waiting.shift(); entry; entry = waiting.shift()) {
        if (entry.needs && part === undefined) entry.reject(failure ? failure.error : undefined)
        else settle(entry)
      }
    } finally {
      draining = false
    }
  }

  const queue: CallQueue<T> = {
    loaded: () => part,
    load() {
      if (part !== undefined) return Promise.resolve(part)
      loading ??= load().then(
        (value) => {
          part = value
          loading = undefined
          return value
        },
        (error: unknown) => {
          loading = undefined
          throw error
        },
      )
      return loading
    },
    submit(needs, run) {
      return new Promise((resolve, reject) => {
        const entry: Waiting<T> = { needs, run, resolve, reject }
        if (!draining && waiting.length === 0 && (part !== undefined || !needs)) {
          settle(entry)
          return
        }
        waiting.push(entry)
        if (draining || part !== undefined) return
        // Every waiting call is behind one that needs the part: its load settles the queue.
        if (needs) {
          queue.load().then(
            () => drain(),
            (error: unknown) => drain({ error }),
          )
        }
      })
    },
    abort(error) {
      for (let entry = waiting.shift(); entry; entry = waiting.shift()) entry.reject(error)
    },
  }
  return queue
}
