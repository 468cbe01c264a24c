/** Errors of the widget's REST calls; `code` is the server's error code, or `network`. */
export class WidgetApiError extends Error {
  override readonly name = 'WidgetApiError'
  readonly code: string
  readonly status: number

  constructor(code: string, status: number, message: string) {
    super(message)
    this.code = code
    this.status = status
  }
}
