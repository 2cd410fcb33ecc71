// Runs every benchmark script in bench/ (each file named *.bench.js once compiled), one after another.
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { spawnSync } from 'node:child_process'

const here = dirname(fileURLToPath(import.meta.url))
const only = process.argv[2]
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js') && (!only || f.includes(only)))
  .sort()
let failed = 0
for (const s of scripts) {
  console.log(`\n### ${s}`)
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, s)], { stdio: 'inherit' })
  if (r.status !== 0) failed++
}
if (failed) {
  console.error(`${failed} benchmark script(s) failed`)
  process.exit(1)
}
