// Compiles the AssemblyScript kernels (assembly/*.ts) to build/*.wasm with SIMD enabled.
import { readdirSync, mkdirSync } from 'node:fs'
import { spawnSync } from 'node:child_process'

mkdirSync('build', { recursive: true })
const sources = readdirSync('assembly').filter((f) => f.endsWith('.ts'))
for (const file of sources) {
  const out = `build/${file.replace(/\.ts$/, '.wasm')}`
  const args = ['asc', `assembly/${file}`, '-o', out, '-O3', '--runtime', 'stub', '--enable', 'simd', '--noAssert']
  const r = spawnSync('npx', args, { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
