// The HTTP API under load: requests per second and latency of a few routes with 50 keep-alive connections on
// loopback. The server is `segue serve` in a CHILD process on a fresh temporary home (its first start imports
// the bundled catalogue and fits the models, 10-15 s), so the load generator (autocannon, in this process) does
// not share its event loop; on this 2-core machine each gets about one core, which is what the figures mean.
//
// Scenarios, each a warm-up run then a measured run of fixed duration:
//   health       GET /api/health: a trivial route, the baseline every other route is compared with;
//   similar      GET /api/tracks/:id/similar?n=10, the id rotating over ~500 real track ids (found via search);
//   similar fresh  the same over every 4th track of the bundled catalogue (22,436 ids, shuffled), so an answer
//                recurs only after that many requests: the figure for work actually done per request;
//   recs <model> <size>  GET /api/listeners/:id/recommendations?n=10&model=<model> for every model (content,
//                collaborative, hybrid), rotating over listeners of one size with their tokens: "8ev" listeners
//                have 3 likes and 5 plays (through the API), "2000ev" listeners 2,000 events (likes, plays, skips,
//                dislikes) written straight into the server's SQLite file by this process, as another server
//                sharing the store would;
//   recs <model> <size> fresh  the same, but each request names a different seed track (&seeds=), so no answer
//                can come from the server's result cache: the figure for work actually done per request;
//   feedback     POST /api/listeners/:id/feedback {kind: play}: a fixed number of writes sized to stay inside the
//                per-listener write limit (run once, at the end, after the read rounds); 429s are counted apart.
// Read scenarios run in BENCH_ROUNDS interleaved rounds so drift in machine load hits them alike; the per-second
// request counts and the latencies of all rounds are pooled before taking mean, median and percentiles.
// Any non-2xx answer (but the feedback route's 429s), connection error or timeout fails the bench: every run
// is still reported (table and JSON, with the failures listed), then the process exits non-zero.
//
// Environment: BENCH_ROUNDS (default 3), BENCH_DURATION (measured seconds, default 10), BENCH_WARMUP (seconds,
// default 3), BENCH_CONNECTIONS (default 50), BENCH_CPU_PROF (a folder: the server runs with --cpu-prof and
// writes its profile there on exit), BENCH_ONLY (comma-separated scenario names, e.g. "health,similar").
// BENCH_HOME (a home to start from a copy of: skips the first start's import and fits).
// Each run also reports the server's CPU per request (serverCpuUsPerRequest, from /proc): the figure to compare
// builds or changes by on a shared machine, where requests per second follow the other load; and its resident
// memory at the end of the run (serverRssMbMax: the largest over rounds), which the per-listener caches grow.
// BENCH_SERVER (the server's main.js, default dist/src/cli/main.js) measures another build under the same load.
// With BENCH_ONLY, BENCH_CPU_PROF or BENCH_SERVER the table is printed but bench/results/http.json is left as it was.
import autocannon from 'autocannon'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Rng } from '../src/core/rng.js'
import { bundledCatalogue, packageRoot } from '../src/core/paths.js'
import { readCatalogue } from '../src/data/read-catalogue.js'
import { DEFAULT_RATE_LIMIT } from '../src/server/app.js'
import { SqliteStore } from '../src/store/sqlite.js'
import type { FeedbackKind, NewFeedback } from '../src/store/store.js'
import { median, report, type Row } from './lib/report.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10)
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 3)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF
const ONLY = process.env.BENCH_ONLY?.split(',').filter((s) => s !== '')
const SEED = 7

/** Track ids the similar-tracks load rotates over. */
const TRACK_POOL = 500
/** Common title/artist words whose search hits supply the track pool (50 hits per word at most). */
const SEARCH_WORDS = [
  'love', 'you', 'me', 'night', 'heart', 'baby', 'time', 'day', 'girl', 'world', 'life', 'dance', 'dream', 'fire', 'rain',
  'blue', 'light', 'home', 'song', 'man', 'star', 'sun', 'summer', 'money', 'party', 'city', 'girls', 'boy', 'moon', 'sky',
]
/**
 * Listeners for the recommendation load: below the server's 30 creations per minute per client address
 * (DEFAULT_RATE_LIMIT.creates), which `segue serve` offers no setting or environment variable to raise.
 */
const LONG_LISTENERS = 8
const LISTENERS = Math.min(20, DEFAULT_RATE_LIMIT.creates - LONG_LISTENERS)
/** Events of each long-history listener: past the 500 the server once read, like a listener of some months. */
const LONG_EVENTS = 2000
/** The mix of a long history, one kind per slot: 10% likes, 80% plays, 7% skips, 3% dislikes. */
const LONG_KINDS: FeedbackKind[] = [...Array(10).fill('like'), ...Array(80).fill('play'), ...Array(7).fill('skip'), ...Array(3).fill('dislike')]
/** Models the recommendation rounds cover. */
const MODELS = ['content', 'collaborative', 'hybrid'] as const
const LIKES_PER_LISTENER = 3
const PLAYS_PER_LISTENER = 5
/** Feedback writes per listener in the write scenario's warm-up and measured run. */
const WRITE_WARMUP_PER_LISTENER = 5
const WRITES_PER_LISTENER = 250
/** How long the first start (import + model fits) may take before the bench gives up. */
const READY_TIMEOUT_MS = 5 * 60_000
/** How long the server gets to close cleanly (and write its CPU profile) after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 15_000
/** A health answer faster than this, several times in a row, means the server has drained earlier load. */
const SETTLED_MS = 20
const SETTLE_TIMEOUT_MS = 120_000

const TARGET = { scenario: 'similar', minRps: 2000, maxP99Ms: 50 }
/**
 * Issue 8 §2: searches that held the event loop for seconds before (16 one-letter words, 100 copies of "a",
 * "a") and the costliest found since, sent at HOSTILE_RATE on HOSTILE_CONNECTIONS beside the similar-tracks load
 * in the 'similar + hostile search' round; the similar answers must keep p99 < HOSTILE_TARGET.maxP99Ms.
 */
const HOSTILE_SEARCHES = ['a b c d e f g h i j k l m n o p', Array(100).fill('a').join(' '), 'a', 'love live life remix version feat original remastered']
const HOSTILE_CONNECTIONS = 5
/** Hostile searches per second in all: a determined client, about 1 in 40 requests of the round. */
const HOSTILE_RATE = 50
const HOSTILE_TARGET = { scenario: 'similar + hostile search', maxP99Ms: 50 }
/** Issue 8 §5: every recommendation round, each model and listener size. */
const RECS_TARGET = { minRps: 1500, maxP99Ms: 100 }

interface Server {
  url: string
  readySeconds: number
  /** The server's recent stderr lines, to show when it dies. */
  log: string[]
}

interface Listener {
  id: string
  token: string
}

/** One autocannon request template; `next` gives each request its path, headers and body. */
interface Scenario {
  name: string
  route: string
  method: 'GET' | 'POST'
  next: () => { path: string; headers?: Record<string, string>; body?: string }
  /** Status codes expected besides 2xx and counted apart (the feedback route's rate limit). */
  tolerated?: number[]
  /** Requests sent on other connections during each run, not measured (each must answer 2xx or a tolerated status). */
  alongside?: { scenario: Scenario; connections: number; rate: number }
}

/** What one autocannon run observed, from its own events (sub-millisecond latencies, exact per-second counts). */
interface Measurement {
  perSecond: number[]
  latenciesMs: number[]
  /**
   * Latencies of the answers after each connection's first. A saturated server takes on the connections that
   * arrive while it is busy only about one per event-loop turn, so the first answer on a late connection can
   * wait seconds: a real effect for new clients, but not the steady state of 50 open connections.
   */
  laterLatenciesMs: number[]
  requests: number
  non2xx: number
  tolerated: number
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
  firstError?: string
  /** The server process's CPU time (user + system, all threads) during the run, ms; null where /proc is missing. */
  serverCpuMs: number | null
  /** The server's resident memory at the end of the run, MB (VmRSS); null where /proc is missing. */
  serverRssMb: number | null
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'segue-bench-http-'))
  // BENCH_HOME: start from a copy of an existing home (catalogue imported, models fitted) instead of an empty one.
  if (process.env.BENCH_HOME) cpSync(process.env.BENCH_HOME, home, { recursive: true })
  let child: ChildProcess | undefined
  const stopOnSignal = () => {
    void cleanup(child, home).finally(() => process.exit(130))
  }
  process.once('SIGINT', stopOnSignal)
  process.once('SIGTERM', stopOnSignal)
  try {
    console.log(`starting the server on a fresh home ${home} (first start: import + model fits)...`)
    child = spawnServer(home)
    serverPid = child.pid
    const server = await serverReady(child)
    console.log(`server ready in ${server.readySeconds} s at ${server.url}`)
    await runBench(server, home)
  } finally {
    await cleanup(child, home)
  }
}

/** The bench proper, once the server answers: fixtures through the API, then the load runs and the report. */
async function runBench(server: Server, home: string): Promise<void> {
  const rng = new Rng(SEED)
  const tracks = shuffled(await collectTrackIds(server.url), rng)
  console.log(`${tracks.length} track ids from ${SEARCH_WORDS.length} searches`)
  const listeners = await createListeners(server.url, tracks, rng)
  console.log(`${listeners.length} listeners, each with ${LIKES_PER_LISTENER} likes and ${PLAYS_PER_LISTENER} plays`)
  const long = await createLongListeners(server.url, home, tracks, rng)
  console.log(`${long.length} listeners with ${LONG_EVENTS} events each, written into the store by this process`)
  await sanityCheck(server.url, tracks[0], listeners[0])
  await sanityCheck(server.url, tracks[0], long[0])

  await backgroundDone(server.url)
  const loadBefore = loadavg()
  const wide = !ONLY || ONLY.includes('similar fresh') ? await catalogueTrackIds(rng) : []
  const reads = readScenarios(tracks, wide, listeners, long).filter((s) => !ONLY || ONLY.includes(s.name))
  const pooled = new Map<string, Measurement[]>()
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of reads) {
      await measure(server.url, s, { seconds: WARMUP_S }, `${s.name} warm-up (round ${r + 1}/${ROUNDS})`)
      const m = await measure(server.url, s, { seconds: DURATION_S }, `${s.name} round ${r + 1}/${ROUNDS}`)
      pooled.set(s.name, [...(pooled.get(s.name) ?? []), m])
    }
  }
  const scenarios = [...reads]
  if (!ONLY || ONLY.includes('feedback')) {
    const w = writeScenario(tracks, listeners)
    await measure(server.url, w, { amount: WRITE_WARMUP_PER_LISTENER * listeners.length }, 'feedback warm-up')
    pooled.set(w.name, [await measure(server.url, w, { amount: WRITES_PER_LISTENER * listeners.length }, 'feedback')])
    scenarios.push(w)
  }

  const rows = tableRows(scenarios, pooled)
  if (ONLY || CPU_PROF_DIR || process.env.BENCH_SERVER) {
    // A partial or profiled run is a diagnosis, not the figures: print it, keep bench/results/http.json as it was.
    console.table(rows)
  } else report('http', rows, { ...notes(server, tracks.length, listeners.length), loadAverage1mBeforeAfter: [loadBefore[0], loadavg()[0]].map(round2), failures })
  // Other work on the machine moves every figure: say how busy it was.
  console.log(`load average (1 min): ${round2(loadBefore[0])} before, ${round2(loadavg()[0])} after, on ${cpus().length} cores`)
  printTargets(rows)
  if (failures.length) {
    console.error(`\nBENCH FAILED: ${failures.length} run(s) had errors, timeouts or unexpected statuses:\n${failures.map((f) => `  ${f}`).join('\n')}`)
    process.exitCode = 1
  }
}

/** The server's pid, for its CPU time (serverCpuMs). */
let serverPid: number | undefined

/**
 * The server process's CPU time so far (user + system of all its threads), ms, from /proc/<pid>/stat (clock ticks
 * of 10 ms); null off Linux. On a shared machine CPU per request moves far less than requests per second: the
 * figure to compare builds by.
 */
function serverCpuMs(): number | null {
  if (serverPid === undefined) return null
  try {
    const fields = readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS
  } catch {
    return null
  }
}

/** The server process's resident memory now (VmRSS), MB; null off Linux. */
function serverRssMb(): number | null {
  if (serverPid === undefined) return null
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${serverPid}/status`, 'utf8'))
    return kb ? Math.round(Number(kb[1]) / 1024) : null
  } catch {
    return null
  }
}

/** /proc's CPU times are in clock ticks: 100 per second on Linux (USER_HZ). */
const CLOCK_TICK_MS = 10

/** `segue serve --port 0` in a child process (optionally under --cpu-prof); its stderr is piped to watch for readiness. */
function spawnServer(home: string): ChildProcess {
  // BENCH_SERVER: another build's main.js, to measure an older tree against the same load (A/B).
  const main = process.env.BENCH_SERVER ?? join(packageRoot(), 'dist', 'src', 'cli', 'main.js')
  const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []
  return spawn(process.execPath, [...nodeArgs, main, '--home', home, '--no-progress', 'serve', '--port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
}

/** Resolves once the server prints its ready line (echoing its log); rejects if it exits first or takes too long. */
function serverReady(child: ChildProcess): Promise<Server> {
  const log: string[] = []
  return new Promise<Server>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready after ${READY_TIMEOUT_MS / 1000} s:\n${log.join('\n')}`)), READY_TIMEOUT_MS)
    let pending = ''
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop()!
      for (const line of lines) {
        log.push(line)
        if (log.length > 50) log.shift()
        console.log(`  server: ${line}`)
        const ready = /segue: ready in ([\d.]+) s: open (http:\/\/\S+)/.exec(line)
        if (ready) {
          clearTimeout(timer)
          resolve({ url: ready[2].replace(/\/$/, ''), readySeconds: Number(ready[1]), log })
        }
      }
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`server exited (code ${code}, signal ${signal}) before it was ready:\n${log.join('\n')}`))
    })
  })
}

/** Stops the server (SIGTERM, then SIGKILL after a grace period) and removes the temporary home. */
async function cleanup(child: ChildProcess | undefined, home: string): Promise<void> {
  if (child) await stopServer(child)
  rmSync(home, { recursive: true, force: true })
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_GRACE_MS).unref())
  if ((await Promise.race([exited, timer])) === 'timeout') {
    console.error(`server did not exit ${STOP_GRACE_MS / 1000} s after SIGTERM: killing it`)
    child.kill('SIGKILL')
    await exited
  }
}

/** A JSON request to the server; anything but `expect` is an error with the answer's body. */
async function api<T>(url: string, method: string, path: string, opts: { body?: unknown; token?: string; expect?: number } = {}): Promise<T> {
  const headers: Record<string, string> = {}
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  if (opts.token) headers.authorization = `Bearer ${opts.token}`
  const res = await fetch(url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) })
  const text = await res.text()
  if (res.status !== (opts.expect ?? 200)) throw new Error(`${method} ${path}: HTTP ${res.status}: ${text}`)
  return JSON.parse(text) as T
}

/** Real track ids, as a client would find them: the search hits for common words, until the pool is full. */
async function collectTrackIds(url: string): Promise<string[]> {
  const ids = new Set<string>()
  for (const word of SEARCH_WORDS) {
    const { items } = await api<{ items: { id: string }[] }>(url, 'GET', `/api/search?q=${encodeURIComponent(word)}&limit=50`)
    for (const t of items) ids.add(t.id)
    if (ids.size >= TRACK_POOL) break
  }
  if (ids.size < TRACK_POOL) throw new Error(`only ${ids.size} track ids found by search; need ${TRACK_POOL}`)
  return [...ids].slice(0, TRACK_POOL)
}

/** Listeners with a few likes and plays each (seeded choice of tracks), so their profiles are not cold. */
async function createListeners(url: string, tracks: string[], rng: Rng): Promise<Listener[]> {
  const out: Listener[] = []
  for (let i = 0; i < LISTENERS; i++) {
    const { listener, token } = await api<{ listener: { id: string }; token: string }>(url, 'POST', '/api/listeners', { body: { name: `bench ${i}` }, expect: 201 })
    const kinds = [...Array(LIKES_PER_LISTENER).fill('like'), ...Array(PLAYS_PER_LISTENER).fill('play')] as string[]
    for (const kind of kinds) {
      await api(url, 'POST', `/api/listeners/${listener.id}/feedback`, { body: { trackId: tracks[rng.int(tracks.length)], kind }, token, expect: 201 })
    }
    out.push({ id: listener.id, token })
  }
  return out
}

/**
 * Listeners with a long history: created through the API, their events appended to the server's SQLite file
 * from this process (the API's write limit would take hours), as another server sharing the store would. The
 * server must see them at once: sanityCheck asks for their recommendations next.
 */
async function createLongListeners(url: string, home: string, tracks: string[], rng: Rng): Promise<Listener[]> {
  const out: Listener[] = []
  const store = new SqliteStore(join(home, 'segue.db'))
  try {
    for (let i = 0; i < LONG_LISTENERS; i++) {
      const { listener, token } = await api<{ listener: { id: string }; token: string }>(url, 'POST', '/api/listeners', { body: { name: `bench long ${i}` }, expect: 201 })
      const events: NewFeedback[] = Array.from({ length: LONG_EVENTS }, () => ({ trackId: tracks[rng.int(tracks.length)], kind: LONG_KINDS[rng.int(LONG_KINDS.length)] }))
      await store.appendFeedback(listener.id, events)
      out.push({ id: listener.id, token })
    }
  } finally {
    await store.close()
  }
  return out
}

/**
 * Waits until /api/ready answers 200 (a first start builds the song-mood classifier and reads playlists in the
 * background, which would be charged to the first rounds' CPU); an older build without the route answers 404.
 */
async function backgroundDone(url: string): Promise<void> {
  const t0 = performance.now()
  while (performance.now() - t0 < SETTLE_TIMEOUT_MS) {
    const status = (await fetch(`${url}/api/ready`)).status
    if (status === 200 || status === 404) return
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`server not ready ${SETTLE_TIMEOUT_MS / 1000} s after start (GET /api/ready)`)
}

/** One request of each kind by hand first, so a broken route fails with its message rather than as a count. */
async function sanityCheck(url: string, track: string, l: Listener): Promise<void> {
  const similar = await api<{ items: unknown[] }>(url, 'GET', `/api/tracks/${encodeURIComponent(track)}/similar?n=10`)
  if (similar.items.length !== 10) throw new Error(`similar tracks answered ${similar.items.length} items, not 10`)
  for (const model of MODELS) {
    const recs = await api<{ items: unknown[]; coldStart: boolean }>(url, 'GET', `/api/listeners/${l.id}/recommendations?n=10&model=${model}`, { token: l.token })
    if (recs.items.length !== 10 || recs.coldStart) throw new Error(`${model} recommendations: ${recs.items.length} items, coldStart ${recs.coldStart}`)
  }
}

/** Every 4th track id of the bundled catalogue (the one the server imports), shuffled. */
async function catalogueTrackIds(rng: Rng): Promise<string[]> {
  const { tracks } = await readCatalogue(bundledCatalogue())
  return shuffled(tracks.filter((_, i) => i % 4 === 0).map((t) => t.id), rng)
}

function readScenarios(tracks: string[], wide: string[], listeners: Listener[], long: Listener[]): Scenario[] {
  const nextTrack = rotation(tracks)
  const nextWide = rotation(wide)
  const recs = (model: string, size: string, group: Listener[], fresh: boolean): Scenario => {
    const nextListener = rotation(group)
    // The seed advances once per full turn of the listeners, so a (listener, seed) pair recurs only after
    // listeners x tracks requests (10,000 and more): more than the server's result cache holds.
    let turn = 0
    const seedOf = () => tracks[Math.floor(turn++ / group.length) % tracks.length]
    const query = `n=10&model=${model}`
    return {
      name: `recs ${model} ${size}${fresh ? ' fresh' : ''}`,
      route: `GET /api/listeners/:id/recommendations?${query}${fresh ? '&seeds=<a new track each time>' : ''}`,
      method: 'GET',
      next: () => {
        const l = nextListener()
        const seeds = fresh ? `&seeds=${encodeURIComponent(seedOf())}` : ''
        return { path: `/api/listeners/${l.id}/recommendations?${query}${seeds}`, headers: { authorization: `Bearer ${l.token}` } }
      },
    }
  }
  const sizes = [['8ev', listeners], [`${LONG_EVENTS}ev`, long]] as const
  const recsRounds = MODELS.flatMap((m) => sizes.flatMap(([size, group]) => [recs(m, size, group, false), recs(m, size, group, true)]))
  return [
    { name: 'health', route: 'GET /api/health', method: 'GET', next: () => ({ path: '/api/health' }) },
    {
      name: 'similar', route: 'GET /api/tracks/:id/similar?n=10', method: 'GET',
      next: () => ({ path: `/api/tracks/${encodeURIComponent(nextTrack())}/similar?n=10` }),
    },
    {
      name: 'similar fresh', route: 'GET /api/tracks/:id/similar?n=10 (a new track each time)', method: 'GET',
      next: () => ({ path: `/api/tracks/${encodeURIComponent(nextWide())}/similar?n=10` }),
    },
    {
      name: HOSTILE_TARGET.scenario, route: 'GET /api/tracks/:id/similar?n=10 beside hostile GET /api/search', method: 'GET',
      next: () => ({ path: `/api/tracks/${encodeURIComponent(nextTrack())}/similar?n=10` }),
      alongside: { scenario: hostileSearches(), connections: HOSTILE_CONNECTIONS, rate: HOSTILE_RATE },
    },
    ...recsRounds,
  ]
}

/** The hostile searches in turn; 429 (too many searches waiting) is an allowed answer, a stall is not. */
function hostileSearches(): Scenario {
  const next = rotation(HOSTILE_SEARCHES)
  return { name: 'hostile search', route: 'GET /api/search?q=<hostile>', method: 'GET', tolerated: [429], next: () => ({ path: `/api/search?q=${encodeURIComponent(next())}&limit=10` }) }
}

/** Plays rotating over listeners and tracks; a fixed count per listener keeps inside the write limit. */
function writeScenario(tracks: string[], listeners: Listener[]): Scenario {
  const nextListener = rotation(listeners)
  const nextTrack = rotation(tracks)
  return {
    name: 'feedback', route: 'POST /api/listeners/:id/feedback {kind: play}', method: 'POST', tolerated: [429],
    next: () => {
      const l = nextListener()
      return {
        path: `/api/listeners/${l.id}/feedback`,
        headers: { authorization: `Bearer ${l.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ trackId: nextTrack(), kind: 'play' }),
      }
    },
  }
}

/** Round-robin over `items`, shared by all connections, so every item gets an equal share of the load. */
function rotation<T>(items: readonly T[]): () => T {
  let i = 0
  return () => items[i++ % items.length]
}

/**
 * One autocannon run (for `seconds`, or until `amount` requests), observed through its `response` events:
 * latencies at full precision (autocannon's histogram keeps whole milliseconds) and requests completed in each
 * whole second since the start. Any unexpected status or connection error is recorded as a failure.
 */
async function measure(url: string, s: Scenario, length: { seconds: number } | { amount: number }, label: string): Promise<Measurement> {
  await settle(url)
  const m: Measurement = { perSecond: [], latenciesMs: [], laterLatenciesMs: [], requests: 0, non2xx: 0, tolerated: 0, errors: 0, timeouts: 0, statusCodes: {}, serverCpuMs: null, serverRssMb: null }
  const cpu0 = serverCpuMs()
  const side = s.alongside ? startAlongside(url, s.alongside) : null
  const t0 = performance.now()
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url,
      connections: CONNECTIONS,
      ...('seconds' in length ? { duration: length.seconds } : { amount: length.amount }),
      requests: [{ method: s.method, setupRequest: (req) => withNext(req, s.next()) }],
    }, (err, res) => (err ? reject(err) : resolve(res)))
    const answered = new Set<autocannon.Client>()
    instance.on('response', (client, status, _bytes, ms) => {
      const second = Math.floor((performance.now() - t0) / 1000)
      m.perSecond[second] = (m.perSecond[second] ?? 0) + 1
      const first = !answered.has(client)
      answered.add(client)
      if (status >= 200 && status < 300) {
        m.latenciesMs.push(ms)
        if (!first) m.laterLatenciesMs.push(ms)
      }
      else if (s.tolerated?.includes(status)) m.tolerated++
      m.statusCodes[status] = (m.statusCodes[status] ?? 0) + 1
    })
    instance.on('reqError', (err: Error) => {
      m.firstError ??= String(err?.message ?? err)
    })
  })
  const elapsed = (performance.now() - t0) / 1000
  const cpu1 = serverCpuMs()
  m.serverCpuMs = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0
  m.serverRssMb = serverRssMb()
  if (side) await side.stop(`${label} (alongside: ${s.alongside!.scenario.route})`)
  m.perSecond = wholeSeconds(m.perSecond, 'seconds' in length ? Math.min(elapsed, length.seconds) : elapsed)
  m.requests = result.requests.total
  m.non2xx = result.non2xx - m.tolerated
  m.errors = result.errors
  m.timeouts = result.timeouts
  checkClean(s, m, label)
  const lat = percentiles(m.latenciesMs)
  const cpu = (m.serverCpuMs === null ? '' : `, server CPU ${Math.round((1000 * m.serverCpuMs) / Math.max(1, m.requests))} us/request`) +
    (m.serverRssMb === null ? '' : `, server RSS ${m.serverRssMb} MB`)
  console.log(`${label}: ${Math.round(m.requests / elapsed)} req/s, p50 ${lat.p50.toFixed(2)} ms, p99 ${lat.p99.toFixed(2)} ms${cpu}${m.tolerated ? `, ${m.tolerated} x 429` : ''}`)
  return m
}

/** Load sent beside a measured run until stop(), which records unexpected statuses or errors as failures. */
function startAlongside(url: string, side: NonNullable<Scenario['alongside']>): { stop(label: string): Promise<void> } {
  const { scenario: s, connections, rate } = side
  let tolerated = 0
  let stopAlongside = () => {}
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections, overallRate: rate, duration: 3600, requests: [{ method: s.method, setupRequest: (req) => withNext(req, s.next()) }] },
      (err, res) => (err ? reject(err) : resolve(res)))
    instance.on('response', (_c, status) => { if (s.tolerated?.includes(status)) tolerated++ })
    stopAlongside = () => instance.stop()
  })
  return {
    async stop(label) {
      stopAlongside()
      const r = await done
      console.log(`  ${label}: ${r.requests.total} requests, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms${tolerated ? `, ${tolerated} tolerated` : ''}`)
      if (r.non2xx - tolerated > 0 || r.errors > 0) failures.push(`${label}: ${r.non2xx - tolerated} unexpected non-2xx answers, ${r.errors} errors`)
    },
  }
}

/** The request autocannon is about to send, with this scenario's path, extra headers and body. */
function withNext(req: autocannon.Request, next: ReturnType<Scenario['next']>): autocannon.Request {
  return { ...req, path: next.path, headers: { ...req.headers, ...next.headers }, ...(next.body === undefined ? {} : { body: next.body }) }
}

/**
 * Waits until the server has finished the requests still in flight when the previous run stopped (autocannon
 * closes its sockets, but the server computes what it had accepted: 50 slow requests are seconds of work), so
 * that backlog is not charged to the next scenario.
 */
async function settle(url: string): Promise<void> {
  const t0 = performance.now()
  for (let fast = 0; fast < 3; ) {
    const t = performance.now()
    await api(url, 'GET', '/api/health')
    fast = performance.now() - t < SETTLED_MS ? fast + 1 : 0
    if (performance.now() - t0 > SETTLE_TIMEOUT_MS) throw new Error(`server still busy ${SETTLE_TIMEOUT_MS / 1000} s after the previous run`)
  }
  const waited = (performance.now() - t0) / 1000
  if (waited > 0.5) console.log(`  (waited ${waited.toFixed(1)} s for the server to drain the previous run)`)
}

/**
 * Per-second counts of the seconds that ended before the run did (the last, partial one is dropped). A timed
 * run is cut at its duration: autocannon stops sending then, and its callback may come a little later.
 */
function wholeSeconds(counts: (number | undefined)[], elapsedS: number): number[] {
  const full = Math.max(1, Math.floor(elapsedS))
  return Array.from({ length: Math.min(full, counts.length) }, (_, i) => counts[i] ?? 0)
}

/**
 * Unexpected statuses, connection errors and timeouts are bench failures, never a footnote to a fast figure.
 * They are collected rather than thrown at once, so the run still reports every scenario (the failures go in
 * the JSON and the table's columns) and then exits non-zero.
 */
const failures: string[] = []

function checkClean(s: Scenario, m: Measurement, label: string): void {
  if (m.latenciesMs.length === 0) failures.push(`${label} (${s.route}): no successful answer at all; status codes ${JSON.stringify(m.statusCodes)}`)
  if (m.non2xx === 0 && m.errors === 0 && m.timeouts === 0) return
  const failure =
    `${label} (${s.route}): ${m.non2xx} unexpected non-2xx answers, ${m.errors} errors (${m.timeouts} of them timeouts); ` +
    `status codes ${JSON.stringify(m.statusCodes)}${m.firstError ? `; first error: ${m.firstError}` : ''}`
  console.error(`FAILURE: ${failure}`)
  failures.push(failure)
}

/** Nearest-rank percentiles of latencies in ms. */
function percentiles(latencies: number[]): { p50: number; p90: number; p99: number; max: number } {
  const s = Float64Array.from(latencies).sort()
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] : NaN)
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s.length ? s[s.length - 1] : NaN }
}

/** One row per scenario over its pooled rounds; requests/s of each route relative to the health baseline. */
function tableRows(scenarios: Scenario[], pooled: Map<string, Measurement[]>): Row[] {
  const rps = (name: string) => mean((pooled.get(name) ?? []).flatMap((m) => m.perSecond))
  const base = rps('health')
  return scenarios.map((s) => {
    const ms = pooled.get(s.name)!
    const perSecond = ms.flatMap((m) => m.perSecond)
    const lat = percentiles(ms.flatMap((m) => m.latenciesMs))
    const later = percentiles(ms.flatMap((m) => m.laterLatenciesMs))
    const sum = (f: (m: Measurement) => number) => ms.reduce((a, m) => a + f(m), 0)
    return {
      scenario: s.name,
      route: s.route,
      rpsMean: Math.round(mean(perSecond)),
      rpsMedian: Math.round(median(perSecond)),
      ratioVsHealth: Number.isFinite(base) ? +(mean(perSecond) / base).toFixed(3) : null,
      p50Ms: round2(lat.p50),
      p90Ms: round2(lat.p90),
      p99Ms: round2(lat.p99),
      maxMs: round2(lat.max),
      p99LaterMs: round2(later.p99),
      requests: sum((m) => m.requests),
      non2xx: sum((m) => m.non2xx),
      status429: sum((m) => m.tolerated),
      errors: sum((m) => m.errors),
      timeouts: sum((m) => m.timeouts),
      seconds: perSecond.length,
      serverCpuUsPerRequest: ms.every((m) => m.serverCpuMs !== null) ? Math.round((1000 * sum((m) => m.serverCpuMs!)) / Math.max(1, sum((m) => m.requests))) : null,
      serverRssMbMax: ms.every((m) => m.serverRssMb !== null) ? Math.max(...ms.map((m) => m.serverRssMb!)) : null,
    }
  })
}

/** The issue's target, stated against the measured figures: met or not, nothing in between. */
function printTargets(rows: Row[]): void {
  for (const r of rows.filter((x) => String(x.scenario).startsWith('recs '))) {
    const ok = (r.rpsMean as number) >= RECS_TARGET.minRps && (r.p99Ms as number) < RECS_TARGET.maxP99Ms
    console.log(`target ${r.scenario} >= ${RECS_TARGET.minRps} req/s, p99 < ${RECS_TARGET.maxP99Ms} ms: ${r.rpsMean} req/s, p99 ${r.p99Ms} ms -> ${ok ? 'MET' : 'NOT MET'}`)
  }
  const hostile = rows.find((r) => r.scenario === HOSTILE_TARGET.scenario)
  if (hostile) console.log(`target ${HOSTILE_TARGET.scenario}: similar p99 < ${HOSTILE_TARGET.maxP99Ms} ms: ${hostile.p99Ms} ms -> ${(hostile.p99Ms as number) < HOSTILE_TARGET.maxP99Ms ? 'MET' : 'NOT MET'}`)
  const row = rows.find((r) => r.scenario === TARGET.scenario)
  if (!row) return
  const rpsOk = (row.rpsMean as number) >= TARGET.minRps
  const p99Ok = (row.p99Ms as number) < TARGET.maxP99Ms
  console.log(`target ${TARGET.scenario} >= ${TARGET.minRps} req/s (mean of per-second samples): ${row.rpsMean} -> ${rpsOk ? 'MET' : 'NOT MET'}`)
  console.log(`target ${TARGET.scenario} p99 < ${TARGET.maxP99Ms} ms: ${row.p99Ms} ms -> ${p99Ok ? 'MET' : 'NOT MET'}`)
  console.log(`  (for information: p99 without each connection's first answer ${row.p99LaterMs} ms; the target is judged on all answers)`)
}

/**
 * Everything needed to compare a later run: versions, machine, commit, load shape, fixtures, target. The load
 * average (recorded beside) tells whether other work shared the two cores during the run.
 */
function notes(server: Server, tracks: number, listeners: number): Record<string, unknown> {
  return {
    node: process.version,
    cpuCount: cpus().length,
    date: new Date().toISOString(),
    gitCommit: git(['rev-parse', 'HEAD']),
    // Others may have uncommitted edits in the tree the server was built from: name the files.
    gitDirtyFiles: (git(['status', '--porcelain', '--untracked-files=no']) ?? '').split('\n').filter((l) => l !== '').map((l) => l.slice(3)),
    connections: CONNECTIONS,
    durationSeconds: DURATION_S,
    warmupSeconds: WARMUP_S,
    rounds: ROUNDS,
    seed: SEED,
    serverReadySeconds: server.readySeconds,
    setup: 'server: child process `segue serve --port 0` on a fresh temporary home; load: autocannon in the bench process, loopback',
    trackPool: tracks,
    listeners,
    feedbackPerListener: { likes: LIKES_PER_LISTENER, plays: PLAYS_PER_LISTENER },
    longListeners: { count: LONG_LISTENERS, events: LONG_EVENTS, kinds: 'likes 10%, plays 80%, skips 7%, dislikes 3% over the track pool; written into the store directly' },
    writeRun: { warmupPerListener: WRITE_WARMUP_PER_LISTENER, measuredPerListener: WRITES_PER_LISTENER, limitPerListenerPerMinute: DEFAULT_RATE_LIMIT.writes, runs: 'once, after the read rounds' },
    rps: 'mean and median of requests completed in each whole second, pooled over rounds',
    p99LaterMs: 'p99 without the first answer on each connection (connections opened while the server is saturated wait to be accepted)',
    serverCpuUsPerRequest: "the server process's CPU time (all threads, /proc) over the measured runs divided by their requests, microseconds",
    serverRssMbMax: "the server process's resident memory (VmRSS) at the end of the scenario's measured runs, the largest over rounds, MB",
    latency: 'ms, 2xx answers only, nearest-rank percentiles over all measured requests of all rounds; requests that time out (autocannon: 10 s) have no latency and count in errors (timeouts are part of errors)',
    target: TARGET,
    recsTarget: RECS_TARGET,
    hostileSearch: { target: HOSTILE_TARGET, queries: HOSTILE_SEARCHES.map((q) => q.slice(0, 40)), connections: HOSTILE_CONNECTIONS, ratePerSecond: HOSTILE_RATE },
    cpuProfile: CPU_PROF_DIR ?? null,
  }
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: packageRoot(), encoding: 'utf8' }).trim()
  } catch {
    return null
  }
}

/** A seeded Fisher-Yates shuffle, so the rotation order is the same on every run. */
function shuffled<T>(xs: T[], rng: Rng): T[] {
  const out = [...xs]
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN
}

function round2(x: number): number {
  return Math.round(x * 100) / 100
}

await main()
