import { createWidget } from './create-widget.js'

/**
 * The script-tag entry, served as /widget/loader.js:
 *   <script type="module" async src="https://chat.example.com/widget/loader.js" data-site="demo"></script>
 * The server URL is where this file came from; the site is its `data-site` attribute.
 */
function boot() {
  const src = import.meta.url
  const script = [...document.querySelectorAll<HTMLScriptElement>('script[data-site]')].find(
    (s) => s.src === src,
  )
  const siteId = script?.dataset.site
  if (!siteId) {
    console.error('Causette: add data-site="<your site id>" to the widget script tag')
    return
  }
  createWidget({ siteId, serverUrl: new URL(src).origin }).mount()
}

if (document.readyState === 'loading')
  document.addEventListener('DOMContentLoaded', boot, { once: true })
else boot()
