import { useEffect, useState } from 'preact/hooks'

/**
 * Reads a value from a `subscribe(listener) => unsubscribe` store and re-renders when it
 * changes. Pass stable `subscribe` and `read` functions (store methods, or `useCallback`).
 */
export function useExternal<T>(subscribe: (listener: () => void) => () => void, read: () => T): T {
  const [value, setValue] = useState<T>(read)
  useEffect(() => {
    // The store may have changed between the render and this subscription.
    setValue(() => read())
    return subscribe(() => setValue(() => read()))
  }, [subscribe, read])
  return value
}
