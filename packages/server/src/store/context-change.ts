import {
  applyContextUpdate,
  type ContextRejection,
  type ContextUpdate,
  type TrustLevel,
} from '@causette/events'
import type { ContextChange } from './store.js'

/**
 * The change an update makes: to the visitor's context, and to its open conversation's while
 * one is open (agents see it live). The `conversation` scope waits on the visitor only while no
 * conversation is open; the next one takes it. Rejected keys are reported once each.
 */
export function contextChange(
  update: ContextUpdate,
  trust: TrustLevel,
  now: number,
): ContextChange<readonly ContextRejection[]> {
  return ({ visitor, conversation }) => {
    const { conversation: _scope, ...rest } = update
    const own = applyContextUpdate(visitor, conversation ? rest : update, trust, now)
    const live = conversation && applyContextUpdate(conversation.context, update, trust, now)
    const seen = new Set<string>()
    const rejected = [...own.rejected, ...(live?.rejected ?? [])].filter((r) => {
      const id = `${r.scope}\u0000${r.key}`
      if (seen.has(id)) return false
      seen.add(id)
      return true
    })
    return { visitor: own.view, ...(live ? { conversation: live.view } : {}), result: rejected }
  }
}

/** Applies several updates in order, as one change; reports the rejections of the last only. */
export function contextChanges(
  steps: ReadonlyArray<{ readonly update: ContextUpdate; readonly trust: TrustLevel }>,
  now: number,
): ContextChange<readonly ContextRejection[]> {
  return (state) => {
    let current = state
    let rejected: readonly ContextRejection[] = []
    for (const { update, trust } of steps) {
      const next = contextChange(update, trust, now)(current)
      current = {
        visitor: next.visitor,
        conversation: current.conversation && {
          id: current.conversation.id,
          context: next.conversation ?? current.conversation.context,
        },
      }
      rejected = next.result
    }
    return {
      visitor: current.visitor,
      ...(current.conversation ? { conversation: current.conversation.context } : {}),
      result: rejected,
    }
  }
}
