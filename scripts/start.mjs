// `npm start`: builds what is missing, then runs the server on PORT (8080) with data in ./.causette.
import { ensureBuilt } from './ensure-built.mjs'

ensureBuilt()
// In this process, so that SIGTERM and Ctrl-C reach the server's graceful drain directly.
await import('../packages/server/dist/cli.js')
