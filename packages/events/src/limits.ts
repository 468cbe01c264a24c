/** Limits on chat payloads, enforced by the schemas below on both sides of the wire. */
export const chatLimits = {
  /** Characters in one text message, after trimming. */
  messageTextMax: 4_000,
  /** Characters in a display name. */
  displayNameMax: 80,
} as const
