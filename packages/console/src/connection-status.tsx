import type { ConnectionState, Transport } from '@causette/transport'
import { useExternal } from './use-external.js'

/** The connection state in words. */
export function connectionLabel(state: ConnectionState): string {
  switch (state.status) {
    case 'open':
      return state.via === 'ws' ? 'Connected' : 'Connected (long-poll)'
    case 'suspended':
      return 'Paused'
    case 'connecting':
      return state.attempt === 0 ? 'Connecting…' : 'Reconnecting…'
    case 'waiting':
      return 'Reconnecting…'
    case 'closed':
      return state.reason === 'unauthorized' ? 'Signed out' : 'Disconnected'
    default:
      return assertNever(state)
  }
}

/** The live connection state, announced politely to assistive technology. */
export function ConnectionStatus({ transport }: { transport: Transport }) {
  const state = useExternal(transport.subscribe, transport.state)
  return (
    <p role="status" class={`connection connection--${state.status}`}>
      <span class="connection-dot" aria-hidden="true" />
      {connectionLabel(state)}
    </p>
  )
}

function assertNever(value: never): never {
  throw new Error(`unknown connection state: ${JSON.stringify(value)}`)
}
