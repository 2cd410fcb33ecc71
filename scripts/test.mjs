// Runs every compiled test file with node's built-in runner.
// Node 20's --test takes no glob patterns, so the files are listed here.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) collect(path, out)
    else if (name.endsWith('.test.js')) out.push(path)
  }
  return out
}

const filter = process.argv[2]
const files = collect('dist/test', []).filter((f) => !filter || f.includes(filter))
if (files.length === 0) {
  console.error('no test files found under dist/test' + (filter ? ` matching ${filter}` : ''))
  process.exit(1)
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' })
process.exit(result.status ?? 1)
