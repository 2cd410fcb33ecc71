import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { freePort } from './pg-cluster.js'
import { repoRoot } from './paths.js'

/** Debian's haproxy package puts it here. */
export const HAPROXY = '/usr/sbin/haproxy'
export const HAPROXY_CONFIG = join(repoRoot, 'deploy', 'haproxy', 'haproxy.cfg')

export interface Haproxy {
  url: string
  output(): string
  stop(): Promise<void>
}

/**
 * Runs deploy/haproxy/haproxy.cfg unchanged in the foreground over three servers (host:port each), on a free
 * port, and resolves once every server has answered through it. Skips when haproxy is not installed.
 */
export async function startHaproxy(servers: readonly string[]): Promise<Haproxy | { skip: string }> {
  if (!existsSync(HAPROXY)) return { skip: `${HAPROXY} not found (Debian package haproxy: apt-get install haproxy)` }
  if (servers.length !== 3) throw new Error('deploy/haproxy/haproxy.cfg names three servers')
  const port = await freePort()
  const env = { ...process.env, SEGUE_FRONT: `127.0.0.1:${port}`, SEGUE_S1: servers[0], SEGUE_S2: servers[1], SEGUE_S3: servers[2] }
  const child = spawn(HAPROXY, ['-db', '-f', HAPROXY_CONFIG], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()))
  const url = `http://127.0.0.1:${port}`
  const stop = () => stopChild(child)
  try {
    await untilAllServersAnswer(url, child, () => out)
  } catch (err) {
    await stop()
    throw err
  }
  return { url, output: () => out, stop }
}

/** Polls the front until each of s1, s2, s3 has answered (the x-segue-server header names the server). */
async function untilAllServersAnswer(url: string, child: ChildProcess, output: () => string, timeoutMs = 20_000): Promise<void> {
  const seen = new Set<string>()
  const deadline = Date.now() + timeoutMs
  while (seen.size < 3) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}):\n${output()}`)
    if (Date.now() > deadline) throw new Error(`only ${[...seen].join(', ') || 'no server'} answered through haproxy within ${timeoutMs} ms:\n${output()}`)
    try {
      const res = await fetch(`${url}/api/health`)
      await res.arrayBuffer()
      const server = res.headers.get('x-segue-server')
      if (res.ok && server) seen.add(server)
    } catch {
      // haproxy not listening yet
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

/** One request of a load run: when it started and ended (performance.now()), how it ended, who answered. */
export interface RequestRecord {
  kind: 'feedback' | 'similar' | 'recommendations'
  start: number
  end: number
  /** HTTP status, or 0 when the connection failed. */
  status: number
  server: string | null
  /** For an acknowledged feedback event: its listener, track and seq. */
  ack?: { listenerId: string; trackId: string; seq: number }
  error?: string
}

export interface LoadListener { id: string; token: string }

/**
 * Drives `listeners` through `url`, one loop each, until `stop` is aborted: each loop alternates a feedback
 * write, a similar-tracks read and a recommendations read, so writes and reads both cross the front.
 */
export async function driveLoad(url: string, listeners: readonly LoadListener[], tracks: readonly string[], stop: AbortSignal): Promise<RequestRecord[]> {
  const records: RequestRecord[] = []
  await Promise.all(listeners.map(async (listener, li) => {
    for (let i = 0; !stop.aborted; i++) {
      const trackId = tracks[(li + i) % tracks.length]
      const step = i % 3
      if (step === 0) records.push(await timed('feedback', `${url}/api/listeners/${listener.id}/feedback`, listener, { trackId, kind: 'play' }))
      else if (step === 1) records.push(await timed('similar', `${url}/api/tracks/${trackId}/similar?n=3`))
      else records.push(await timed('recommendations', `${url}/api/listeners/${listener.id}/recommendations?n=3&model=content`, listener))
    }
  }))
  return records
}

/**
 * One request on its own connection (no keep-alive): a client connection that haproxy closes after answering
 * one request (as it does after a 502) could otherwise be picked up for the next request at the same moment,
 * which would fail a request that never reached haproxy and blur what the test measures.
 */
function timed(kind: RequestRecord['kind'], url: string, listener?: LoadListener, body?: { trackId: string; kind: string }): Promise<RequestRecord> {
  const start = performance.now()
  const headers: Record<string, string> = { connection: 'close' }
  if (listener) headers.authorization = `Bearer ${listener.token}`
  if (body) headers['content-type'] = 'application/json'
  return new Promise((resolve) => {
    const req = request(url, { method: body ? 'POST' : 'GET', headers, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (text += c))
      res.on('error', (err) => resolve(failedRecord(kind, start, err)))
      res.on('end', () => {
        const status = res.statusCode ?? 0
        const record: RequestRecord = { kind, start, end: performance.now(), status, server: (res.headers['x-segue-server'] as string | undefined) ?? null }
        if (body && status === 201) record.ack = { listenerId: listener!.id, trackId: body.trackId, seq: (JSON.parse(text) as { event: { seq: number } }).event.seq }
        resolve(record)
      })
    })
    req.on('error', (err) => resolve(failedRecord(kind, start, err)))
    req.end(body ? JSON.stringify(body) : undefined)
  })
}

function failedRecord(kind: RequestRecord['kind'], start: number, err: Error): RequestRecord {
  return { kind, start, end: performance.now(), status: 0, server: null, error: `${err.message} (${(err as NodeJS.ErrnoException).code ?? ''})` }
}
