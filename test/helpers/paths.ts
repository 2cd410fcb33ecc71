import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot, sharedDataDir } from '../../src/core/paths.js'

export const repoRoot = packageRoot()
export const fixturesDir = join(repoRoot, 'test', 'fixtures')

/** Path to a file of the shared real datasets, or null (and the test skips) where they are absent. */
export function sharedFile(...parts: string[]): string | null {
  const path = join(sharedDataDir(), ...parts)
  return existsSync(path) ? path : null
}

export const SKIP_NO_SHARED = 'the shared real datasets (../shared/data) are not present on this machine'
