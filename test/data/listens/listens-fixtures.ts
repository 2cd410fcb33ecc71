import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixturesDir } from '../../helpers/paths.js'

/** Path of a file under test/fixtures/listens. */
export function listensFixture(...parts: string[]): string {
  return join(fixturesDir, 'listens', ...parts)
}

/** Writes `bytes` to a fresh temp file and runs `fn` on its path. */
export async function withFile(name: string, bytes: string | Buffer, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'segue-listens-'))
  try {
    const path = join(dir, name)
    writeFileSync(path, bytes)
    await fn(path)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
