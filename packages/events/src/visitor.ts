import * as z from 'zod/mini'

/** What `POST /api/v1/widget/visitors` answers: the token is shown once and stored hashed. */
export const VisitorSession = /* @__PURE__ */ z.object({
  visitorId: z.string(),
  token: z.string(),
})
export type VisitorSession = z.infer<typeof VisitorSession>
