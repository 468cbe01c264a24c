export type Unsubscribe = () => void

export interface Emitter<M> {
  /** Adds a listener; the same function added twice is called twice. */
  on<K extends keyof M>(event: K, handler: (payload: M[K]) => void): Unsubscribe
  /** Adds a listener that is removed after its first call. */
  once<K extends keyof M>(event: K, handler: (payload: M[K]) => void): Unsubscribe
  /** Removes every registration of `handler` for `event`, or all of the event's listeners. */
  off<K extends keyof M>(event: K, handler?: (payload: M[K]) => void): void
  /** Calls the event's listeners in the order they were added. */
  emit<K extends keyof M>(event: K, payload: M[K]): void
  clear(): void
}

interface Entry {
  readonly handler: (payload: never) => void
  readonly once: boolean
}

/** Reports an error as an uncaught one would be, without interrupting the caller. */
export function reportError(error: unknown) {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error)
  else console.error(error)
}

/**
 * Typed listeners per event. A listener that throws is reported (`reportError`, as an uncaught
 * error would be) and never stops the others or the widget.
 */
export function createEmitter<M>(report: (error: unknown) => void = reportError): Emitter<M> {
  const entries = new Map<keyof M, Entry[]>()

  function add<K extends keyof M>(event: K, handler: (payload: M[K]) => void, once: boolean) {
    const entry: Entry = { handler, once }
    entries.set(event, [...(entries.get(event) ?? []), entry])
    return () => {
      entries.set(
        event,
        (entries.get(event) ?? []).filter((e) => e !== entry),
      )
    }
  }

  return {
    on: (event, handler) => add(event, handler, false),
    once: (event, handler) => add(event, handler, true),
    off(event, handler) {
      entries.set(
        event,
        handler ? (entries.get(event) ?? []).filter((e) => e.handler !== handler) : [],
      )
    },
    emit(event, payload) {
      const list = entries.get(event) ?? []
      if (list.some((e) => e.once))
        entries.set(
          event,
          list.filter((e) => !e.once),
        )
      for (const entry of list) {
        try {
          ;(entry.handler as (payload: M[typeof event]) => void)(payload)
        } catch (error) {
          report(error)
        }
      }
    },
    clear: () => entries.clear(),
  }
}
