import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'

/** 40 listeners x 30 tracks in three taste groups (a listens CSV): a fit takes milliseconds. */
export function writeListens(dir: string): string {
  const lines = ['User_ID,Track_ID,Plays,Timestamp']
  for (let u = 0; u < 40; u++) {
    for (let t = 0; t < 30; t++) if (t % 3 === u % 3 && (t + u) % 4 !== 0) lines.push(`u${u},t${t},${1 + ((u * t) % 5)},${1_600_000_000 + u * 100 + t}`)
  }
  const file = join(dir, 'listens.csv')
  writeFileSync(file, lines.join('\n') + '\n')
  return file
}

/** Polls `read` every 100 ms until it gives a truthy value. */
export async function waitFor<T>(what: string, read: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const v = await read()
    if (v) return v
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/**
 * Holds an exclusive lock on model_versions until released: a job that reaches publishing waits there, so a
 * test keeps it "mid-job" as long as it needs without any hook in the worker.
 */
export async function holdPublishing(url: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query('BEGIN')
  await client.query('LOCK TABLE model_versions IN ACCESS EXCLUSIVE MODE')
  return async () => {
    await client.query('COMMIT')
    await client.end()
  }
}
