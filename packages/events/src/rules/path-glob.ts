import { ruleLimits } from './rule-limits.js'

type Token = string | 1 | 2 // a literal, `*` (within a segment) or `**` (across segments)

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = []
  let literal = ''
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '*') {
      literal += pattern[i]
      continue
    }
    if (literal) tokens.push(literal)
    literal = ''
    const double = pattern[i + 1] === '*'
    if (double) while (pattern[i + 1] === '*') i++
    tokens.push(double ? 2 : 1)
  }
  if (literal) tokens.push(literal)
  return tokens
}

/**
 * Whether a page path matches a page-view pattern: `*` stands for any characters but `/`, `**`
 * for any characters, everything else for itself (`/checkout/**`, `/products/*`). Linear in
 * the path for each token, so no pattern can make it slow; the path is read up to
 * `ruleLimits.pathInputMax` characters.
 */
export function matchPath(pattern: string, path: string): boolean {
  const input = path.slice(0, ruleLimits.pathInputMax)
  const n = input.length
  // reach[p]: the tokens so far can consume exactly the first p characters.
  let reach = new Uint8Array(n + 1)
  reach[0] = 1
  for (const token of tokenize(pattern)) {
    const next = new Uint8Array(n + 1)
    for (let p = 0; p <= n; p++) {
      if (typeof token === 'string') {
        if (reach[p] && input.startsWith(token, p)) next[p + token.length] = 1
      } else if (reach[p] || (p > 0 && next[p - 1] && (token === 2 || input[p - 1] !== '/'))) {
        next[p] = 1
      }
    }
    reach = next
  }
  return reach[n] === 1
}
