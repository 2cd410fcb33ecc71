import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { repoRoot } from '../helpers/paths.js'

/**
 * What `segue serve` imports before it is ready: the CLI, then (serve-command.ts) the service and the HTTP
 * server. Modules reached from these by static imports load and run on every start.
 */
const SERVE_ENTRIES = ['src/cli/main.ts', 'src/service/service.ts', 'src/server/listen.ts']

/**
 * Packages a server needs only on some requests or with some options (a trained sequence model, a chart, a
 * PostgreSQL store, training, Parquet): each costs 0.03-0.7 s of CPU to import, so they load where they are used.
 */
const LOADED_WHEN_USED = ['@tensorflow/', 'graphology', 'ml-pca', 'pg', 'pg-boss', '@duckdb/', 'vega', 'vega-lite', '@resvg/']

/** `import x from 'y'`, `import 'y'`, `export ... from 'y'`; not `import type` nor `import()`. */
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm

/** Every package reached from `entries` by static imports, with the chain of files that reaches it first. */
function staticPackages(entries: readonly string[]): Map<string, string[]> {
  const via = new Map<string, string | null>(entries.map((e) => [resolve(repoRoot, e), null]))
  const queue = [...via.keys()]
  const packages = new Map<string, string[]>()
  const chain = (file: string) => {
    const files: string[] = []
    for (let f: string | null | undefined = file; f; f = via.get(f)) files.unshift(relative(repoRoot, f))
    return files
  }
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (spec.startsWith('node:')) continue
      if (!spec.startsWith('.')) {
        if (!packages.has(spec)) packages.set(spec, chain(file))
        continue
      }
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'))
      if (existsSync(target) && !via.has(target)) {
        via.set(target, file)
        queue.push(target)
      }
    }
  }
  return packages
}

function isLoadedWhenUsed(spec: string): boolean {
  return LOADED_WHEN_USED.some((p) => (p.endsWith('/') ? spec.startsWith(p) : spec === p || spec.startsWith(`${p}/`)))
}

test('serve imports no package it needs only on some requests (TensorFlow.js, charts, PostgreSQL) before it is ready', () => {
  const packages = staticPackages(SERVE_ENTRIES)
  // The walk itself works: what every start needs is found.
  for (const needed of ['fastify', 'better-sqlite3', 'commander']) assert.ok(packages.has(needed), `${needed} not found by the walk`)
  const heavy = [...packages].filter(([spec]) => isLoadedWhenUsed(spec)).map(([spec, files]) => `${spec} <- ${files.join(' <- ')}`)
  assert.deepEqual(heavy, [], 'import these where they are used (await import(...)), not at the top of a module serve loads')
})

test('the walk sees through re-exports and skips type-only imports', () => {
  const text = "import type { A } from 'pg'\nexport { b } from './x.js'\nimport {\n  c,\n} from 'graphology'\nconst d = await import('vega')\n"
  assert.deepEqual([...text.matchAll(STATIC_IMPORT)].map((m) => m[1]), ['./x.js', 'graphology'])
})
