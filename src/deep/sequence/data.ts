import type { RawInteraction } from '../../data/interactions.js'
import type { PlaylistSet } from '../../data/playlists/types.js'

/**
 * Ordered listening for next-item models: one sequence per listener (a user's plays in time order, or a
 * playlist in its track order) over a vocabulary of items numbered 1..N (0 is padding).
 */
export interface SequenceData {
  /** items[k - 1] is the raw id of item k. */
  items: string[]
  /** One per sequence: the listener's raw id (user id, or playlist pid). */
  owners: string[]
  /** Item numbers in order, each item at most once per sequence. */
  sequences: Int32Array[]
}

/** Options shared by the readers below. */
export interface SequenceOptions {
  /** Items seen in fewer sequences are dropped (SASRec's 5-core style filter); default 1 (keep all). */
  minItemCount?: number
  /** Sequences shorter than this after filtering are dropped; default 3 (enough for leave-last-out). */
  minLength?: number
}

/** Shortest sequence that leave-last-out can split into train, validation and test. */
export const MIN_SPLIT_LENGTH = 3

/**
 * Sequences from timestamped events (MovieLens ratings, Last.fm 1K plays, generic listens): each user's events
 * sorted by time, ties kept in file order. A repeated item keeps its first play only: full-ranking evaluation
 * leaves out what the listener has already played, so a repeat could never be a hit.
 */
export function sequencesFromEvents(events: readonly RawInteraction[], opts: SequenceOptions = {}): SequenceData {
  const byUser = new Map<string, { item: string; time: number; at: number }[]>()
  events.forEach((e, at) => {
    let list = byUser.get(e.user)
    if (!list) byUser.set(e.user, (list = []))
    list.push({ item: e.item, time: e.time ?? 0, at })
  })
  const raw: { owner: string; items: string[] }[] = []
  for (const [owner, list] of byUser) {
    list.sort((a, b) => a.time - b.time || a.at - b.at)
    raw.push({ owner, items: list.map((x) => x.item) })
  }
  return numberSequences(raw, opts)
}

/** Sequences from playlists in track order (raw item ids are the tracks' Spotify ids, owners the pids). */
export function sequencesFromPlaylists(set: PlaylistSet, opts: SequenceOptions = {}): SequenceData {
  const raw = set.playlists.map((p) => ({ owner: String(p.pid), items: p.tracks.map((t) => set.tracks[t].id) }))
  return numberSequences(raw, opts)
}

/** Dedupes, filters rare items and short sequences, and numbers the items 1..N in first-seen order. */
function numberSequences(raw: { owner: string; items: string[] }[], opts: SequenceOptions): SequenceData {
  const minCount = opts.minItemCount ?? 1
  const minLength = opts.minLength ?? MIN_SPLIT_LENGTH
  const deduped = raw.map((r) => ({ owner: r.owner, items: [...new Set(r.items)] }))
  const counts = new Map<string, number>()
  for (const r of deduped) for (const it of r.items) counts.set(it, (counts.get(it) ?? 0) + 1)
  const numberOf = new Map<string, number>()
  const items: string[] = []
  const owners: string[] = []
  const sequences: Int32Array[] = []
  for (const r of deduped) {
    const kept = r.items.filter((it) => (counts.get(it) ?? 0) >= minCount)
    if (kept.length < minLength) continue
    owners.push(r.owner)
    sequences.push(Int32Array.from(kept, (it) => numberOf.get(it) ?? numberOf.set(it, items.push(it)).get(it)!))
  }
  return { items, owners, sequences }
}

/**
 * Leave-last-out (as SASRec): per sequence, the last item is the test target, the second-to-last the
 * validation target, the rest trains. `train[s]` is the training prefix; validation predicts `valid[s]` from
 * it; test predicts `test[s]` from the prefix plus the validation item.
 */
export interface LeaveLastOut {
  data: SequenceData
  train: Int32Array[]
  valid: Int32Array
  test: Int32Array
}

export function leaveLastOutSequences(data: SequenceData): LeaveLastOut {
  const n = data.sequences.length
  const valid = new Int32Array(n)
  const test = new Int32Array(n)
  const train = data.sequences.map((s, i) => {
    if (s.length < MIN_SPLIT_LENGTH) throw new RangeError(`sequence ${data.owners[i]} has ${s.length} items; leave-last-out needs ${MIN_SPLIT_LENGTH}`)
    valid[i] = s[s.length - 2]
    test[i] = s[s.length - 1]
    return s.subarray(0, s.length - 2)
  })
  return { data, train, valid, test }
}

/** The history a test prediction starts from: the training prefix and the validation item. */
export function testHistory(split: LeaveLastOut, s: number): Int32Array {
  return split.data.sequences[s].subarray(0, split.data.sequences[s].length - 1)
}

/** The last `len` items of `seq`, left-padded with 0 to exactly `len`. */
export function leftPad(seq: ArrayLike<number>, len: number, out = new Int32Array(len)): Int32Array {
  out.fill(0)
  const take = Math.min(len, seq.length)
  for (let i = 0; i < take; i++) out[len - take + i] = seq[seq.length - take + i]
  return out
}
