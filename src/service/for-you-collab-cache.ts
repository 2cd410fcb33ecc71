import type { ArtistCatalogue, ArtistScores } from '../models/hybrid/artist-tracks.js'
import type { Scored } from '../models/types.js'
import type { Track } from '../core/track.js'
import type { ExplainBasis } from '../models/als/explain.js'
import { explainsNear, type ArtistBridge, type NearTaste } from './artist-bridge.js'
import { ARRAY_BYTES, ByteLru, FIELD_BYTES, MAP_ENTRY_BYTES, NUMBER_BYTES, OBJECT_BYTES, TYPED_ARRAY_BYTES } from './byte-lru.js'
import type { ForYouParams } from './for-you-params.js'
import type { HistoryPart, KeySet, Positive, ProfileParts } from './profile.js'

/**
 * What a listener's artist-level taste decides of a "Listeners like you" list before anything a request leaves
 * out: the artists the collaborative model recommends (one fold-in and scoring), the explainer of each one's
 * strongest reason (a factorisation, on first use), and every track of those artists scored against the sound
 * of the listener's artists. It depends on the taste alone, so requests with the same taste share it.
 */
export interface ArtistPart {
  readonly artists: readonly Scored[]
  /** The listener's artist (model item) that contributed most to a recommended artist's score. */
  readonly strongest: (item: number) => number | undefined
  readonly scored: ArtistScores
  /** Recommended artists by their catalogue spelling. */
  readonly itemOfName: ReadonlyMap<string, number>
}

/**
 * Bytes of artist parts kept (artistPartBytes' estimate), the least recently used dropped first: one per listener
 * state in use and per seed artist the model knows. An entry holds ~50 KB once its reasons are explained (the
 * factorisation, 32 KB, and the scored tracks' typed arrays): 2,000 of them, the old cap, held 100 MB, many small
 * typed arrays whose buffers fragment the heap outside V8's (bench/server-memory.bench.ts); this keeps ~500.
 */
const ARTIST_PARTS_BUDGET_BYTES = 24 * 2 ** 20
/** The explainer's factorisation and folded vector, made on a part's first explanation: counted from the start. */
const EXPLAINER_BYTES = 32 * 1024

/** Bytes an artist part holds, estimated: its artists, their scored rows (typed arrays), names and explainer. */
export function artistPartBytes(part: ArtistPart): number {
  const n = part.artists.length
  let bytes = OBJECT_BYTES + 4 * FIELD_BYTES + EXPLAINER_BYTES + 3 * ARRAY_BYTES + n * (2 * (OBJECT_BYTES + 2 * FIELD_BYTES) + NUMBER_BYTES + 3 * FIELD_BYTES + MAP_ENTRY_BYTES)
  for (const a of part.scored.scores) bytes += TYPED_ARRAY_BYTES + a.byteLength
  for (const a of part.scored.order ?? []) bytes += TYPED_ARRAY_BYTES + a.byteLength
  return bytes
}

/**
 * "Listeners like you" per request, split (issue 8 §5): a request's taste is the history's artists weighted by
 * their tracks' feedback plus the seed's artists. Most seeds leave that taste as the history made it (the model
 * does not know their artists) or repeat one seen before, and then the artist part is the kept one; only what the
 * request excludes (its seeds, heard tracks, list hygiene) is worked out again. The key is the taste itself,
 * every item and weight in order, so a kept part is exactly what computing it afresh would give; a new event
 * changes the history's weights (recency) and so the key, and a new model version gets a new cache (ForYou's
 * withBridge).
 */
export class ArtistPartCache {
  private readonly parts = new ByteLru<string, ArtistPart>(ARTIST_PARTS_BUDGET_BYTES)
  /** Per history part (one per event): the history's own taste, and the recording keys of its positives. */
  private readonly histories = new WeakMap<HistoryPart, { taste: Map<number, number>; keys: Set<string>; basis?: ExplainBasis }>()
  /** A request's taste made of a history's and its seeds' (taste), and that history. */
  private readonly nearHistory = new WeakMap<ReadonlyMap<number, number>, HistoryPart>()
  /** tasteKey without the count, per taste map (the history's are used by many requests). */
  private readonly keys = new WeakMap<ReadonlyMap<number, number>, string>()

  constructor(
    private readonly bridge: ArtistBridge,
    private readonly catalogue: ArtistCatalogue,
    private readonly tracks: readonly Track[],
    /** The catalogue's recording keys (the ones its ArtistCatalogue excludes by). */
    private readonly recordingKeys: readonly string[],
    private readonly cfWeight: Readonly<ForYouParams['cfWeight']>,
  ) {}

  /**
   * A request's taste: model item -> Σ cfWeight[kind] x weight over its positives, in their order. Given the
   * profile's parts (when the positives are the whole profile's), the history's own taste, made once per event,
   * when no seed brings an artist the model knows: the seeds then add no entry, and the other positives keep
   * their order, so it is the same map.
   */
  taste(positives: readonly Positive[], parts?: ProfileParts): ReadonlyMap<number, number> {
    if (parts && [...parts.seedRows].every((row) => this.bridge.itemsOf(this.tracks[row]).length === 0)) return this.history(parts.history).taste
    const taste = this.tasteOf(positives)
    // The history's taste plus a seed's artists: its reasons are explained from the history's factorisation.
    if (parts) this.nearHistory.set(taste, parts.history)
    return taste
  }

  /** The recording keys of a profile's positives, which its list leaves out: the history's (kept) and the seeds'. */
  excluded(parts: ProfileParts): KeySet {
    const history = this.history(parts.history).keys
    return { has: (key) => history.has(key) || parts.seedKeys.has(key) }
  }

  /** The part for a taste (model item -> play-count weight, in the profile's order) and a number of artists. */
  get(taste: ReadonlyMap<number, number>, count: number): ArtistPart {
    let base = this.keys.get(taste)
    if (base === undefined) this.keys.set(taste, (base = tasteKey(taste)))
    const key = `${count}${base}`
    let part = this.parts.peek(key)
    if (part) {
      // Used again: from now on each pick walks its artists' rows in order (ranked) instead of scanning them. A part
      // used once, as most with a new seed are, never pays for the sort; pick gives the same tracks either way.
      if (!part.scored.order) part = { ...part, scored: this.catalogue.ranked(part.scored) }
    } else part = this.build(taste, count)
    this.parts.set(key, part, artistPartBytes(part))
    return part
  }

  get size(): number {
    return this.parts.size
  }

  /** The estimated bytes of the parts kept. */
  get bytes(): number {
    return this.parts.bytes
  }

  private build(taste: ReadonlyMap<number, number>, count: number): ArtistPart {
    const bridge = this.bridge
    const { artists, strongest } = bridge.artistsWithReasons(taste, count, this.near(taste))
    const profile = [...taste].map(([item, w]) => ({ artist: bridge.artistName(item)!, weight: w }))
    const liked = artists.map((a, i) => ({ artist: bridge.artistName(a.item)!, weight: artists.length - i }))
    const scored = artists.length === 0 ? { liked: [], scores: [] } : this.catalogue.score(liked, profile)
    const itemOfName = new Map<string, number>()
    for (const a of artists) itemOfName.set(bridge.artistName(a.item)!, a.item)
    return { artists, strongest, scored, itemOfName }
  }

  /**
   * For a request's taste near its history's: the history taste's explaining factorisation, made on the first such
   * request and kept with the history part (one per event), so each seed costs a few rank-one updates.
   */
  private near(taste: ReadonlyMap<number, number>): NearTaste | undefined {
    const part = this.nearHistory.get(taste)
    const model = this.bridge.trained.model
    if (!part || !explainsNear(model)) return undefined
    const h = this.history(part)
    return { basis: () => (h.basis ??= model.explainBasis([...h.taste.keys()], [...h.taste.values()])) }
  }

  private history(part: HistoryPart): { taste: Map<number, number>; keys: Set<string>; basis?: ExplainBasis } {
    let h = this.histories.get(part)
    if (!h) {
      h = { taste: this.tasteOf(part.positives), keys: new Set(part.positives.map((x) => this.recordingKeys[x.row])) }
      this.histories.set(part, h)
    }
    return h
  }

  private tasteOf(positives: readonly Positive[]): Map<number, number> {
    const taste = new Map<number, number>()
    for (const pos of positives) {
      for (const item of this.bridge.itemsOf(this.tracks[pos.row])) taste.set(item, (taste.get(item) ?? 0) + this.cfWeight[pos.kind] * pos.weight)
    }
    return taste
  }
}

/** A taste's exact identity: its items and weights in order (a number's string form reads back to the same number). */
function tasteKey(taste: ReadonlyMap<number, number>): string {
  let key = ''
  for (const [item, w] of taste) key += `|${item}:${w}`
  return key
}
