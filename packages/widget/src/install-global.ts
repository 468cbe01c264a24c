import type { HostCommand, HostEventHandler, HostEventName, InitOptions } from '@causette/events'
import type { CausetteError } from './causette-error.js'
import { reportError as report, type Unsubscribe } from './create-emitter.js'
import type { Widget, WidgetRuntime } from './create-widget.js'
import { asPageContext, capturePageContext, type PageContext } from './page-context.js'

/** The name of the script tag's global function. */
export const globalName = 'Causette'

type Command = Exclude<HostCommand, 'on' | 'once' | 'off'>

/**
 * The script tag's `window.Causette`: the widget's commands by name. Every call returns a
 * promise, also `on` (of its unsubscribe function), and rejects with a CausetteError.
 */
export interface CausetteGlobal {
  <C extends Command>(command: C, ...args: Parameters<Widget[C]>): ReturnType<Widget[C]>
  <E extends HostEventName>(
    command: 'on' | 'once',
    event: E,
    handler: HostEventHandler<E>,
  ): Promise<Unsubscribe>
  <E extends HostEventName>(command: 'off', event: E, handler?: HostEventHandler<E>): Promise<void>
}

/**
 * What the snippet (packages/widget/snippet/snippet.js) queues for each call made before the
 * loader arrived: the command, its arguments, the page it was made on, when, and its promise.
 */
export type QueueEntry = readonly [
  command: unknown,
  args: readonly unknown[],
  page: PageContext,
  at: number,
  resolve: (value: unknown) => void,
  reject: (error: unknown) => void,
]

type Caller = (
  command: unknown,
  args: readonly unknown[],
  page: PageContext,
  at: number,
) => Promise<unknown>

/**
 * Replaces the snippet's queue with the live `Causette` function: runs every queued call in
 * the order it was made, each with the page it was made on, settles its promise, then answers
 * new calls directly. Without an `init` in the queue (and unless `manual`), the widget is
 * initialized first, with `defaults`, on the page of the first queued call.
 * Returns false, and changes nothing, when a live `Causette` is already installed.
 */
export function installGlobal(
  scope: Record<string, unknown>,
  target: WidgetRuntime | CausetteError,
  settings: {
    readonly defaults?: InitOptions
    readonly manual?: boolean
    readonly now?: () => number
  } = {},
): boolean {
  const now = settings.now ?? Date.now
  const existing = scope[globalName] as
    | (((...args: never[]) => unknown) & { q?: unknown })
    | undefined
  if (typeof existing === 'function' && !Array.isArray(existing.q)) return false
  const queue: unknown[] = Array.isArray(existing?.q) ? existing.q : []
  const call: Caller = 'call' in target ? target.call : () => Promise.reject(target)

  const entries = () => queue.filter(Array.isArray) as unknown as QueueEntry[]
  if ('call' in target && !settings.manual && !entries().some((entry) => entry[0] === 'init')) {
    const first = entries()[0]
    call(
      'init',
      settings.defaults ? [settings.defaults] : [],
      asPageContext(first?.[2]) ?? capturePageContext(),
      typeof first?.[3] === 'number' ? first[3] : now(),
    ).catch(report)
  }
  const run = (entry: unknown) => {
    if (!Array.isArray(entry)) return
    const [command, args, page, at, resolve, reject] = entry as unknown as QueueEntry
    const settled = call(
      command,
      Array.isArray(args) ? args : [],
      asPageContext(page) ?? capturePageContext(),
      typeof at === 'number' ? at : now(),
    )
    if (typeof resolve === 'function' && typeof reject === 'function') settled.then(resolve, reject)
    else settled.catch(report)
  }
  // A listener may call Causette() while the queue drains (it is still the snippet's then):
  // its call lands at the end of the queue and runs in turn.
  while (queue.length > 0)
    run(queue.shift())
    // A page may have kept the snippet's function (`const C = window.Causette` in a bundle): its
    // later calls still push onto this queue, so from now on a push runs the call at once.
  ;(queue as { push: (...entries: unknown[]) => number }).push = (...entries) => {
    for (const entry of entries) run(entry)
    return 0
  }
  scope[globalName] = (command: unknown, ...args: unknown[]) =>
    call(command, args, capturePageContext(), now())
  if ('syncPage' in target) target.syncPage()
  return true
}
