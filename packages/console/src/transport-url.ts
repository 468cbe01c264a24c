/** The WebSocket endpoint of the server that serves the page: `wss:` under `https:`. */
export function transportUrl(location: {
  readonly protocol: string
  readonly host: string
}): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}/transport`
}
