import type { CatalogueView } from '../engine.js'
import { allowanceOf, extendAllowance, setProfileAllowance, type HygieneAllowance } from '../rerank/hygiene.js'
import type { FeedbackEvent, FeedbackKind, Store } from '../store/store.js'
import { ByteLru } from './byte-lru.js'
import { DEFAULT_FOR_YOU_PARAMS, type ForYouParams } from './for-you-params.js'

/** Why a track is in a listener's profile: a seed they picked for this request, or their own feedback. */
export type PositiveKind = 'seed' | 'like' | 'play'

export interface Positive {
  row: number
  kind: PositiveKind
  /** Larger means more telling; recent feedback counts more than old. */
  weight: number
}

/** What segue knows of a listener's taste, on catalogue rows. */
export interface Profile {
  /** Tracks the listener likes, played or picked as seeds, heaviest first (the newest POSITIVES_KEPT of each kind). */
  positives: Positive[]
  /** Tracks skipped (weight 0.5) or disliked (weight 1), newest NEGATIVES_KEPT: their sound counts against. */
  negatives: { row: number; weight: number }[]
  /** Every track the listener has ever given feedback on or picked: not offered as something new. */
  heard: RowSet
  /** duplicateKeys of heard tracks, so another release of the same recording is not offered either. */
  heardKeys: KeySet
}

export interface RowSet { has(row: number): boolean }
export interface KeySet { has(key: string): boolean }

const NEGATIVE_WEIGHT = { skip: 0.5, dislike: 1 }

/**
 * Weight of a positive of this kind with `since` events after it: kindWeight times recencyDecay^since, the
 * decay floored at recencyFloor. ListenerHistory and the continuation harness both weigh tracks with it.
 */
export function positiveWeight(kind: PositiveKind, since: number, params: Pick<ForYouParams, 'kindWeight' | 'recencyDecay' | 'recencyFloor'>): number {
  return params.kindWeight[kind] * Math.max(params.recencyFloor, params.recencyDecay ** since)
}
/**
 * The first number of events since at which recencyDecay^since is at most recencyFloor (Infinity when the decay
 * never gets there, or so slowly that rounding could matter). Past it positiveWeight's max is the floor exactly:
 * recencyDecay^since is then at most recencyDecay times the floor, far below it whatever the power's rounding.
 */
export function floorSince(params: Pick<ForYouParams, 'recencyDecay' | 'recencyFloor'>): number {
  const { recencyDecay: d, recencyFloor: f } = params
  if (!(d > 0 && d < 1 - 1e-9 && f > 0)) return Infinity
  let s = Math.max(0, Math.floor(Math.log(f) / Math.log(d)) - 2)
  while (d ** s > f) s++
  return s
}

/**
 * Likes (and plays) whose taste a request reads: the newest of each kind. Older ones all weigh the floor, so the
 * newest of them stand for them; this bounds a request's work whatever the history's length. Exclusion is not
 * bounded: every heard or rejected track stays in `heard` forever.
 */
const POSITIVES_KEPT = 50
/** Rejected tracks whose sound counts against candidates: the newest ones (all stay excluded). */
const NEGATIVES_KEPT = 50

type Verdict = { kind: FeedbackKind; ord: number }

/**
 * A listener's whole history folded into what recommendations need, kept between requests and caught up with
 * the events stored after it (`fold`). For each track the last like, skip or dislike decides whether it is a
 * positive or a negative; plays add weight to tracks that are not negative; weight decays with the number of
 * events since (`ord` counts every event, tracks outside the catalogue too). Folding event by event gives the
 * same profile as folding the whole history at once.
 */
export class ListenerHistory {
  /** seq of the listener's first event when it was folded (null: none yet): a changed one means a new history. */
  first: number | null = null
  /** seq of the newest event folded. */
  lastSeq = 0
  /** Events folded. */
  count = 0
  /** Events folded, by kind (tracks outside the catalogue too): what GET /api/listeners/:id shows. */
  readonly kinds: Record<FeedbackKind, number> = { play: 0, like: 0, skip: 0, dislike: 0 }
  private readonly verdicts = new Map<number, Verdict>()
  private readonly heardKeys = new Set<string>()
  /** Every skipped or disliked track, forever. */
  readonly rejected = new Set<number>()
  /** Newest positives and negatives by kind, oldest first (a Map keeps insertion order; re-set moves to the end). */
  private readonly recent = { like: new Map<number, number>(), play: new Map<number, number>(), negative: new Map<number, number>() }
  /** The history part of the newest event folded (historyPart). */
  private part?: HistoryPart
  /**
   * Whether events folded since that part changed its negatives (rows, order, weights) or the set of its
   * positives' rows: when not, the next part shares its negatives array and its hygiene allowance.
   */
  private negativesChanged = true
  private positiveRowsChanged = true
  /** Beyond this many events since, a positive weighs its kind's floor (floorSince). */
  private readonly floorAfter: number

  constructor(private readonly view: CatalogueView, private readonly params: Readonly<ForYouParams> = DEFAULT_FOR_YOU_PARAMS) {
    this.floorAfter = floorSince(params)
  }

  /** The memory this history holds, about (ListenerHistories keeps histories within a budget of these). */
  get bytes(): number {
    return HISTORY_BYTES + HEARD_TRACK_BYTES * this.verdicts.size
  }

  /** Folds events newer than the last one folded, oldest first. */
  fold(events: readonly FeedbackEvent[]): void {
    for (const e of events) {
      if (e.seq <= this.lastSeq) continue
      this.lastSeq = e.seq
      const ord = this.count++
      this.kinds[e.kind]++
      const row = this.view.rowOf.get(e.trackId)
      if (row !== undefined) this.apply(row, e.kind, ord)
    }
  }

  private apply(row: number, kind: FeedbackKind, ord: number): void {
    const prior = this.verdicts.get(row)
    if (kind === 'play' && prior && (prior.kind === 'skip' || prior.kind === 'dislike')) return
    const verdict: Verdict = { kind: kind === 'play' && prior?.kind === 'like' ? 'like' : kind, ord }
    this.verdicts.set(row, verdict)
    this.heardKeys.add(this.view.dupKeys[row])
    const { like, play, negative } = this.recent
    const wasPositive = like.has(row) || play.has(row)
    // Any change to a negative row (its place, its weight) or a new one changes the negatives.
    if (negative.has(row)) this.negativesChanged = true
    for (const list of Object.values(this.recent)) list.delete(row)
    let dropped: boolean
    if (verdict.kind === 'skip' || verdict.kind === 'dislike') {
      this.rejected.add(row)
      this.negativesChanged = true
      dropped = false
      keepNewest(negative, row, ord, NEGATIVES_KEPT)
    } else {
      this.rejected.delete(row)
      dropped = keepNewest(this.recent[verdict.kind], row, ord, POSITIVES_KEPT)
    }
    // The positives' rows as a set: a new positive, one that turned negative, or the oldest of a kind dropped.
    if (dropped || wasPositive !== (like.has(row) || play.has(row))) this.positiveRowsChanged = true
  }

  /**
   * What a profile owes to this history alone, as of the newest event folded: made once per event and shared by
   * every request until the next one, so a cache may key on it (ForYou's content cache does).
   */
  historyPart(): HistoryPart {
    if (this.part?.seq === this.lastSeq && this.part.count === this.count) return this.part
    const positives: Positive[] = []
    for (const kind of ['like', 'play'] as const) {
      // Most positives are old enough to weigh the floor: positiveWeight's value then, without its power.
      const floor = this.params.kindWeight[kind] * this.params.recencyFloor
      for (const [row, ord] of this.recent[kind]) {
        const since = this.count - 1 - ord
        positives.push({ row, kind, weight: since > this.floorAfter ? floor : positiveWeight(kind, since, this.params) })
      }
    }
    positives.sort(heaviestFirst)
    const prior = this.part
    // The same negatives are the same array, so a cache of their work (ForYou's rejected-sound pulls) can tell.
    const negatives = prior && !this.negativesChanged
      ? prior.negatives
      : [...this.recent.negative.keys()].map((row) => ({ row, weight: NEGATIVE_WEIGHT[this.verdicts.get(row)!.kind as 'skip' | 'dislike'] }))
    const tracks = this.view.tracks
    let made: HygieneAllowance | undefined
    // The allowance depends on the positives' rows as a set (allowanceOf's result does not depend on their order).
    const allowance = prior && !this.positiveRowsChanged ? prior.allowance : () => (made ??= allowanceOf(tracks, positives.map((p) => p.row)))
    this.negativesChanged = this.positiveRowsChanged = false
    return (this.part = {
      history: this,
      seq: this.lastSeq,
      count: this.count,
      heardCount: this.verdicts.size,
      positives,
      negatives,
      heard: { has: (row) => this.verdicts.has(row) },
      heardKeys: { has: (key) => this.heardKeys.has(key) },
      allowance,
    })
  }

  /** The profile for one request: this history plus the request's seeds (which count fully unless rejected). */
  profile(seeds: readonly string[] = []): Profile {
    const part = this.historyPart()
    const seedRows = new Set<number>()
    for (const id of seeds) {
      const row = this.view.rowOf.get(id)
      if (row !== undefined && !this.rejected.has(row)) seedRows.add(row)
    }
    // A seed the listener already likes or played counts as a seed, in the place the one order gives it.
    const positives = seedRows.size === 0 ? [...part.positives] : part.positives.filter((p) => !seedRows.has(p.row))
    for (const row of seedRows) insertInOrder(positives, { row, kind: 'seed', weight: this.params.kindWeight.seed })
    const seedKeys = new Set([...seedRows].map((row) => this.view.dupKeys[row]))
    const profile: Profile = {
      positives,
      negatives: part.negatives.slice(),
      heard: { has: (row) => part.heard.has(row) || seedRows.has(row) },
      heardKeys: { has: (key) => part.heardKeys.has(key) || seedKeys.has(key) },
    }
    const tracks = this.view.tracks
    setProfileAllowance(tracks, profile, () => (seedRows.size === 0 ? part.allowance() : extendAllowance(tracks, part.allowance(), seedRows)))
    madeFrom.set(profile, { history: part, seedRows, seedKeys, fields: [profile.positives, profile.negatives, profile.heard, profile.heardKeys] })
    return profile
  }
}

/** Heaviest first, ties to the lower row: the one order of a profile's positives. */
function heaviestFirst(a: Positive, b: Positive): number {
  return b.weight - a.weight || a.row - b.row
}

/** Puts a positive where heaviestFirst places it in a list already in that order (no two share a row). */
function insertInOrder(list: Positive[], x: Positive): void {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (heaviestFirst(list[mid], x) < 0) lo = mid + 1
    else hi = mid
  }
  list.splice(lo, 0, x)
}

/** A profile's part that depends on the listener's history alone (no seeds); see ListenerHistory.historyPart. */
export interface HistoryPart {
  /** The history it came from and its newest folded event then: with `count`, what a cache checks. */
  readonly history: ListenerHistory
  readonly seq: number
  readonly count: number
  /**
   * Tracks heard (given feedback on) as of this part. Heard tracks are never forgotten, so two parts of one
   * history with the same count have the same heard rows and keys.
   */
  readonly heardCount: number
  /** The history's positives, heaviest first. */
  readonly positives: readonly Positive[]
  /** The history's negatives: the same array in consecutive parts when no event changed them. */
  readonly negatives: readonly { row: number; weight: number }[]
  /**
   * Every track the listener gave feedback on, and their recordings' keys: live views of the history (a part
   * made before an event sees that event's track as heard too).
   */
  readonly heard: RowSet
  readonly heardKeys: KeySet
  /** The list hygiene the positives allow (rerank/hygiene.ts), worked out on first use. */
  allowance(): HygieneAllowance
}

/** How a profile made by ListenerHistory.profile splits: its history's part, and the rows the request's seeds add. */
export interface ProfileParts {
  history: HistoryPart
  /** Seed rows (not rejected ones) and their recordings' keys: heard for this request only. */
  seedRows: ReadonlySet<number>
  seedKeys: ReadonlySet<string>
}

const madeFrom = new WeakMap<Profile, ProfileParts & { fields: readonly unknown[] }>()

/**
 * The parts of a profile ListenerHistory.profile made, while its fields are still the ones it made (a profile
 * copied with other fields, as the continuation harness makes, has none): undefined otherwise.
 */
export function profileParts(p: Profile): ProfileParts | undefined {
  const m = madeFrom.get(p)
  if (!m) return undefined
  const [positives, negatives, heard, heardKeys] = m.fields
  return positives === p.positives && negatives === p.negatives && heard === p.heard && heardKeys === p.heardKeys ? m : undefined
}

/** Puts `row` last in an oldest-first map, dropping the oldest entry beyond `cap`: true when one was dropped. */
function keepNewest(list: Map<number, number>, row: number, ord: number, cap: number): boolean {
  list.set(row, ord)
  return list.size > cap && list.delete(list.keys().next().value!)
}

/**
 * Folds a listener's events (oldest first) and this request's seeds into a profile, in one go. See
 * ListenerHistory, which keeps the fold between requests.
 */
export function buildProfile(
  view: CatalogueView,
  events: readonly FeedbackEvent[],
  seeds: readonly string[] = [],
  params: Readonly<ForYouParams> = DEFAULT_FOR_YOU_PARAMS,
): Profile {
  const history = new ListenerHistory(view, params)
  history.fold(events.map((e, i) => ({ ...e, seq: i + 1 })))
  return history.profile(seeds)
}

/** True when a row may be offered to the listener: not heard, and not another release of a heard track. */
export function isFresh(view: CatalogueView, p: Pick<Profile, 'heard' | 'heardKeys'>, row: number): boolean {
  return !p.heard.has(row) && !p.heardKeys.has(view.dupKeys[row])
}

/**
 * Bytes of folded histories a server keeps in memory (ListenerHistory.bytes' estimate); the least recently asked
 * for goes first. A listener of a few events holds ~5 KB, one who heard 500 distinct tracks ~200 KB (the HTTP
 * bench's 28 listeners freed 1.7 MB: bench/server-memory.bench.ts): a count cap (5,000 before) let 5,000 long
 * histories hold a GB. This keeps ~13,000 short histories or ~320 of 500 distinct tracks; one pushed out is
 * folded again from the store on its next request.
 */
const HISTORIES_BUDGET_BYTES = 64 * 2 ** 20
/** A history's own objects and its newest part's lists (ListenerHistory.bytes). */
const HISTORY_BYTES = 4096
/** Per distinct track heard: its verdict, map and set entries, and its share of the parts' lists. */
const HEARD_TRACK_BYTES = 400

/**
 * The folded histories of recently active listeners, each caught up with the store on every use: one indexed
 * query for the events after the newest folded one (usually none), so a request's cost does not grow with the
 * history, and an event stored by any server (several may share one PostgreSQL) is seen at once. A history
 * whose first event changed (the listener was deleted, and the id taken again) is folded afresh.
 */
export class ListenerHistories {
  private readonly entries = new ByteLru<string, { history: ListenerHistory; sync: Promise<unknown> }>(HISTORIES_BUDGET_BYTES)

  constructor(
    private readonly view: CatalogueView,
    private readonly store: Store,
    private readonly params: Readonly<ForYouParams> = DEFAULT_FOR_YOU_PARAMS,
  ) {}

  /**
   * The listener's history with every event stored before the call. Catch-ups of one listener run one after
   * another, so two concurrent requests never fold the same events twice.
   */
  async get(listenerId: string): Promise<ListenerHistory> {
    let entry = this.entries.get(listenerId)
    entry ??= { history: new ListenerHistory(this.view, this.params), sync: Promise.resolve() }
    this.entries.set(listenerId, entry, entry.history.bytes)
    const e = entry
    const done = e.sync.catch(() => {}).then(() => this.catchUp(listenerId, e))
    e.sync = done
    await done
    // Sized again with what the catch-up folded; an entry pushed out meanwhile stays out.
    if (this.entries.peek(listenerId) === e) this.entries.set(listenerId, e, e.history.bytes)
    return e.history
  }

  forget(listenerId: string): void {
    this.entries.delete(listenerId)
  }

  private async catchUp(listenerId: string, entry: { history: ListenerHistory }): Promise<void> {
    let tail = await this.store.feedbackAfter(listenerId, entry.history.lastSeq)
    if (entry.history.count > 0 && tail.first !== entry.history.first) {
      entry.history = new ListenerHistory(this.view, this.params)
      tail = await this.store.feedbackAfter(listenerId, 0)
    }
    entry.history.first = tail.first
    entry.history.fold(tail.events)
  }
}
