import { CausetteError } from './causette-error.js'
import { createWidgetRuntime } from './create-widget.js'
import { installGlobal } from './install-global.js'

/**
 * The script-tag entry, served as /widget/loader.js:
 *   <script type="module" async src="https://chat.example.com/widget/loader.js" data-site="demo"></script>
 * The server URL is where this file came from; the site is its `data-site` attribute. Optional:
 * `data-consent="required"`, `data-title="…"`, `data-init="manual"` (wait for `Causette('init')`).
 * It drains the snippet's queue and installs the live `Causette` global (docs/host-api.md).
 */
function boot() {
  const src = import.meta.url
  const script = [...document.querySelectorAll<HTMLScriptElement>('script[data-site]')].find(
    (s) => s.src === src,
  )
  const data = script?.dataset ?? {}
  const siteId = data.site
  const scope = globalThis as unknown as Record<string, unknown>
  if (!siteId) {
    const error = new CausetteError(
      'invalid_state',
      'add data-site="<your site id>" to the widget script tag',
    )
    console.error(`Causette: ${error.message}`)
    installGlobal(scope, error)
    return
  }
  // A consent attribute that cannot be read fails closed: nothing stored, nothing sent.
  const consent = data.consent === 'not_required' ? data.consent : 'required'
  const runtime = createWidgetRuntime({
    siteId,
    serverUrl: new URL(src).origin,
    ...(data.consent === undefined ? {} : { consent }),
    ...(data.title ? { title: data.title } : {}),
  })
  if (!installGlobal(scope, runtime, { manual: data.init === 'manual' })) {
    console.error('Causette: the widget is already loaded on this page')
  }
}

// Start after the page's own deferred scripts have run, so that an `init` they queue is seen
// (the loader is async: it can arrive while the document is still 'interactive', before the
// deferred scripts and DOMContentLoaded). Past DOMContentLoaded, `load` is the next sure sign.
if (document.readyState === 'complete') boot()
else {
  let booted = false
  const once = () => {
    if (booted) return
    booted = true
    document.removeEventListener('DOMContentLoaded', once)
    window.removeEventListener('load', once)
    boot()
  }
  document.addEventListener('DOMContentLoaded', once)
  window.addEventListener('load', once)
}
