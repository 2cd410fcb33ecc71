import type { FeatureMatch } from '../engine.js'
import type { Neighbour } from '../index/types.js'
import type { RejectedSound } from './for-you.js'
import type { HistoryPart, ListenerHistory, ProfileParts } from './profile.js'

/*
 * What "Sounds like" (ForYou's content model) keeps per listener between requests, so a request that names a new
 * seed redoes only the seed's share of the work. Everything here depends on the listener's history alone (a
 * HistoryPart: made once per folded event) and on the recommender that holds the cache (a model swap makes a new
 * one, with an empty cache): the anchors' neighbours the listener has not heard, and the pull of their rejected
 * sounds on each candidate. The request's seeds are applied on top (seedExcluded), which gives the lists the
 * uncached computation gives, bit for bit (test/service/for-you-content-cache.test.ts).
 */

/**
 * Listeners whose content state is kept; the least recently asked for go first. A state holds at most about
 * 100 KB (50 rejected tracks' sounds 51 KB; ANCHOR_LISTS_KEPT lists of 64 rows with their pulls; PULLS_KEPT
 * other pulls), so 50 MB in all at most; a listener with few rejections and short lists far less.
 */
const LISTENERS_KEPT = 500
/**
 * Anchor lists kept per listener (anchor and list length): a request reads at most maxAnchors of them, and new
 * seeds only push the history's anchors down by their number. Past this the listener's lists start afresh.
 */
const ANCHOR_LISTS_KEPT = 16
/** Rejected-sound pulls of rows outside the anchor lists (the seeds' neighbours) kept per listener: past this they start afresh. */
const PULLS_KEPT = 512

/**
 * The neighbours of one of the history's anchors for one list length k, before the seeds' exclusions: what
 * ForYou.freshNeighbours reads, with the history's exclusions applied once.
 */
export interface AnchorList {
  /** The anchor's shared neighbours (ANCHOR_NEIGHBOURS at most) the listener has not heard, nearest first. */
  fresh: readonly Neighbour[]
  /** True when the shared list was shorter than asked: its fresh rows are then all there is. */
  sharedShort: boolean
  /** The search for the k nearest rows the listener has not heard, made on the first request that needs it. */
  searched?: Promise<Neighbour[]>
}

/**
 * Rejected-sound pulls: a function of the history's negatives alone, so every state of a listener whose
 * negatives are the same array (ListenerHistory keeps it while no event changes them) shares one table.
 */
class Pulls {
  /** Rows of the kept anchor lists (of any state sharing the table), and their pulls: kept as long as the lists. */
  readonly listRows = new Set<number>()
  readonly listPulls = new Map<number, number>()
  /** Pulls of other rows (the seeds' neighbours), at most PULLS_KEPT. */
  readonly otherPulls = new Map<number, number>()
  /** The history's rejected tracks laid out for ForYou.negativePull (about 50 KB with 50 of them). */
  rejected?: RejectedSound

  constructor(readonly negatives: HistoryPart['negatives']) {}
}

/**
 * One listener's content state for one history part. The next part's state starts from it (next): the anchor
 * lists carry over, re-filtered when the listener heard new tracks, and the pulls when the negatives are the same.
 */
export class ContentState {
  /** Anchor lists by list length, then anchor. */
  private readonly lists: Map<number, Map<number, AnchorList>>
  private listCount: number
  private readonly pulls: Pulls

  constructor(readonly part: HistoryPart, from?: { lists: Map<number, Map<number, AnchorList>>; listCount: number; pulls?: Pulls }) {
    this.lists = from?.lists ?? new Map()
    this.listCount = from?.listCount ?? 0
    this.pulls = from?.pulls ?? new Pulls(part.negatives)
  }

  /** The history's rejected tracks laid out for ForYou.negativePull, once made. */
  get rejected(): RejectedSound | undefined {
    return this.pulls.rejected
  }

  set rejected(r: RejectedSound | undefined) {
    this.pulls.rejected = r
  }

  /**
   * The state for a later part of the same history, with what this one worked out that still holds. A list holds
   * the anchor's shared neighbours the history has not heard: heard tracks are never forgotten, so a later part's
   * list is this one's without the rows heard since (none when the heard count is the same); a search beyond the
   * list is redone. Pulls carry over when the negatives are the same. This state is left as it was: a request
   * still running on the older part reads it.
   */
  next(part: HistoryPart, isFresh: (row: number) => boolean): ContentState {
    const sameHeard = part.heardCount === this.part.heardCount
    const lists = new Map<number, Map<number, AnchorList>>()
    for (const [k, byAnchor] of this.lists) {
      const copy = new Map<number, AnchorList>()
      for (const [anchor, list] of byAnchor) {
        if (sameHeard) {
          copy.set(anchor, list)
          continue
        }
        const fresh = list.fresh.every((h) => isFresh(h.index)) ? list.fresh : list.fresh.filter((h) => isFresh(h.index))
        copy.set(anchor, { fresh, sharedShort: list.sharedShort })
      }
      lists.set(k, copy)
    }
    const pulls = part.negatives === this.pulls.negatives ? this.pulls : undefined
    const state = new ContentState(part, { lists, listCount: this.listCount, pulls })
    if (!pulls) for (const byAnchor of lists.values()) for (const list of byAnchor.values()) state.keepRows(list)
    return state
  }

  private keepRows(list: AnchorList): void {
    for (const h of list.fresh) this.pulls.listRows.add(h.index)
  }

  /** The anchor's list for length k, made by `make` on first use. */
  async anchorList(anchor: number, k: number, make: () => Promise<AnchorList>): Promise<AnchorList> {
    const got = this.lists.get(k)?.get(anchor)
    if (got) return got
    const list = await make()
    if (this.listCount >= ANCHOR_LISTS_KEPT) {
      this.lists.clear()
      this.pulls.listRows.clear()
      this.pulls.listPulls.clear()
      this.listCount = 0
    }
    let byAnchor = this.lists.get(k)
    if (!byAnchor) this.lists.set(k, (byAnchor = new Map()))
    if (!byAnchor.has(anchor)) this.listCount++
    byAnchor.set(anchor, list)
    this.keepRows(list)
    return list
  }

  /** A row's rejected-sound pull (a function of the history's negatives alone), worked out by `make` once. */
  pull(row: number, make: (row: number) => number): number {
    const { listRows, listPulls, otherPulls } = this.pulls
    const pulls = listRows.has(row) ? listPulls : otherPulls
    let v = pulls.get(row)
    if (v === undefined) {
      if (pulls === otherPulls && pulls.size >= PULLS_KEPT) pulls.clear()
      pulls.set(row, (v = make(row)))
    }
    return v
  }
}

/**
 * Content states by listener (the ListenerHistory object, as the service's result cache keys), each valid for
 * the one history part it was made for: the listener's next event makes a new part, and their next request
 * moves the state on to it (ContentState.next). A part that is already behind its history (an event folded while
 * its request waited) gets no state: that request computes uncached.
 */
export class ContentCache {
  private readonly states = new Map<ListenerHistory, ContentState>()

  /** @param isFresh whether a row is fresh for a history part (profile.ts isFresh) */
  constructor(private readonly isFresh: (part: HistoryPart, row: number) => boolean) {}

  state(parts: ProfileParts | undefined): ContentState | undefined {
    const part = parts?.history
    if (!part || part.seq !== part.history.lastSeq || part.count !== part.history.count) return undefined
    let s = this.states.get(part.history)
    if (s) this.states.delete(part.history)
    if (!s) s = new ContentState(part)
    else if (s.part !== part) s = s.next(part, (row) => this.isFresh(part, row))
    this.states.set(part.history, s)
    if (this.states.size > LISTENERS_KEPT) this.states.delete(this.states.keys().next().value!)
    return s
  }
}

/** True when a row is heard only through the request's seeds: the seeds' rows and other releases of them. */
export function seedExcluded(parts: ProfileParts, dupKeys: readonly string[], row: number): boolean {
  return parts.seedRows.has(row) || (parts.seedKeys.size > 0 && parts.seedKeys.has(dupKeys[row]))
}

/**
 * The first k of a history anchor's list that the seeds leave, or undefined when fewer than k are left of a full
 * list (the uncached path then searches further: see ForYou.freshNeighbours).
 */
export function seedFiltered(list: AnchorList, k: number, keep: (row: number) => boolean): Neighbour[] | undefined {
  const out: Neighbour[] = []
  for (const h of list.fresh) {
    if (!keep(h.index)) continue
    out.push(h)
    if (out.length === k) return out
  }
  return list.sharedShort ? out : undefined
}

/** Audio-feature explanations of a track by an anchor track kept (a few hundred bytes each): past this they start afresh. */
const EXPLAINED_KEPT = 20_000

/** Explanations by (anchor row, track row), shared by every listener (they depend on the two tracks alone). */
export class ExplainCache {
  /** By anchor, then track: small-integer keys (one key of both would leave V8's fast integer range). */
  private readonly entries = new Map<number, Map<number, readonly FeatureMatch[]>>()
  private size = 0

  get(anchor: number, row: number, make: () => FeatureMatch[]): FeatureMatch[] {
    let byRow = this.entries.get(anchor)
    let got = byRow?.get(row)
    if (!got) {
      if (this.size >= EXPLAINED_KEPT) {
        this.entries.clear()
        this.size = 0
        byRow = undefined
      }
      if (!byRow) this.entries.set(anchor, (byRow = new Map()))
      byRow.set(row, (got = make()))
      this.size++
    }
    // A copy of the list (its entries are shared): an answer's list may be changed without touching the cache.
    return got.slice()
  }
}
