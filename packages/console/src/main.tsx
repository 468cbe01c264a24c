import './console.css'
import { connect, type StorageLike } from '@causette/transport'
import { render } from 'preact'
import { createApi } from './api.js'
import { App } from './app.js'
import { transportUrl } from './transport-url.js'

/** localStorage, where the browser allows it; the outbox falls back to memory otherwise. */
function localStorageOrNull(): StorageLike | null {
  try {
    return globalThis.localStorage ?? null
  } catch {
    return null
  }
}

const root = document.getElementById('app')
if (!root) throw new Error('console: index.html has no #app element')

render(
  <App
    api={createApi()}
    openTransport={(session) =>
      connect({
        url: transportUrl(location),
        storage: localStorageOrNull(),
        // One outbox per agent: a reply is never resent under another agent's session.
        storageKey: `causette:console:outbox:${session.agent.id}`,
      })
    }
  />,
  root,
)
