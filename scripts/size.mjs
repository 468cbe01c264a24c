// `npm run size`: gzip size of every built browser file against its budget, and a scan of the
// bundles for what must never reach a browser. Exits 1 on any breach.
// A budget is raised only in the commit that causes the growth, saying why.
import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { ensureBuilt } from './ensure-built.mjs'

ensureBuilt()

const kb = 1024
/**
 * Budgets in gzip bytes. Issue #5: first load ≤ 10 KB; everything ≤ 40 KB. A row takes `files`,
 * or the files of `dir` (those whose name matches `match`, if given).
 */
const budgets = [
  {
    name: 'widget first load (loader.js)',
    files: ['packages/widget/dist/cdn/loader.js'],
    max: 10 * kb,
  },
  {
    // zod, the schemas of @causette/events (host calls, commerce, context, rules), the context
    // store, identity, session and the rules runner: 32 905 bytes when added, budget 33 KB + 1;
    // 34 848 with cart(), track(push), the review fixes and the caches that spare rules from
    // recompiling patterns and time-zone formatters on every evaluation.
    name: 'widget personalisation (loaded on the first host call or with rules)',
    dir: 'packages/widget/dist/cdn',
    match: /^personalise-.*\.js$/,
    max: 35 * kb,
  },
  {
    // Raised from 40 KB by issue #4 (typed host API, commerce adapters, context, identity and
    // rules, all validated by zod in the browser): 54 799 bytes when raised, 56 322 with the
    // dataLayer adapter behind track(push), cart(), the review fixes, the rules' caches and the
    // library-mode CDN build (no Vite preload helper; ~0.7 KB larger output). Issue #5 owns the
    // 40 KB target and must bring this back down (for instance by sharing fewer schemas with
    // the browser or validating rules on the server); see docs/host-api.md, "Weight".
    name: 'widget total (loader + personalisation + chat)',
    dir: 'packages/widget/dist/cdn',
    max: 56 * kb,
  },
  { name: 'console total', dir: 'packages/console/dist/assets', max: 60 * kb },
]

/** Patterns that must never appear in a browser bundle. */
const forbidden = [
  {
    pattern: /\bfrom\s*["']ws["']|require\(["']ws["']\)|import\(["']ws["']\)/,
    why: 'the ws package is Node-only',
  },
  { pattern: /["']node:[a-z_/]+["']/, why: 'node: built-ins are Node-only' },
  { pattern: /\bprocess\.env\b/, why: 'process.env does not exist in browsers' },
  { pattern: /\bcreateTransportServer\b/, why: 'server code in a browser bundle' },
]

const jsFiles = (dir) =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.js') || f.endsWith('.css'))
    .map((f) => join(dir, f))

const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length
let failed = false
const rows = []
for (const budget of budgets) {
  const files =
    budget.files ??
    jsFiles(budget.dir).filter((f) => !budget.match || budget.match.test(basename(f)))
  const size = files.reduce((sum, f) => sum + gz(f), 0)
  const ok = size <= budget.max
  failed ||= !ok
  rows.push({
    budget: budget.name,
    'gzip bytes': size,
    'max bytes': budget.max,
    status: ok ? 'ok' : 'OVER',
  })
}
console.table(rows)

for (const dir of [
  'packages/widget/dist/cdn',
  'packages/widget/dist/lib',
  'packages/console/dist/assets',
]) {
  for (const file of jsFiles(dir).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(file, 'utf8')
    for (const { pattern, why } of forbidden) {
      if (pattern.test(text)) {
        failed = true
        console.error(`${file}: matches ${pattern} (${why})`)
      }
    }
  }
}

if (failed) {
  console.error('size: budget exceeded or forbidden code in a bundle')
  process.exit(1)
}
console.log('size: every browser file is within budget and free of server code')
