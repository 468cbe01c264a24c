// The Causette snippet: inline it in the page's <head>, before the loader's <script> tag.
// It only defines `Causette(command, ...args)`, which queues each call with the page it was made
// on and returns a promise; the loader runs the queue in order and settles every promise.
// snippet.min.js is the same, minified (a test checks that both behave alike and stay small).
;((w, name) => {
  if (w[name]) return
  const queue = []
  const causette = (command, ...args) =>
    new Promise((resolve, reject) => {
      const page = { url: location.href, title: document.title, referrer: document.referrer }
      queue.push([command, args, page, Date.now(), resolve, reject])
    })
  causette.q = queue
  w[name] = causette
})(window, 'Causette')
