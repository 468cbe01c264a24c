import type { Site } from '../store/store.js'

/**
 * Whether a request's `Origin` may talk to a site: an origin on the site's allowlist, the
 * server's own origin (the full-page chat and the demo shop), or no Origin at all (not a
 * browser: an Origin check protects browsers, and non-browser clients still need a token).
 */
export function originAllowed(
  site: Pick<Site, 'origins'> | undefined,
  origin: string | undefined,
  host: string | undefined,
): boolean {
  if (origin === undefined) return true
  if (isSameOrigin(origin, host)) return true
  const normalized = normalizeOrigin(origin)
  return site?.origins.some((allowed) => normalizeOrigin(allowed) === normalized) ?? false
}

export function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false
  try {
    return new URL(origin).host === host
  } catch {
    return false
  }
}

/** `https://Shop.Example:443/` → `https://shop.example`; unparsable input is returned as is. */
export function normalizeOrigin(origin: string): string {
  try {
    return new URL(origin).origin
  } catch {
    return origin
  }
}
