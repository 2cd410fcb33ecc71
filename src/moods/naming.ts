import { MOOD_INFO, MOODS, moodAt, type Mood } from './moods.js'

/**
 * Where the plane is split, in Spotify's units (0..1). Valence: Spotify describes tracks above the middle as
 * sounding positive. Energy: the labelled file's low-arousal moods (Calm, Sad) average 0.57 and its high ones
 * (Happy, Angry) 0.73 to 0.77, and the catalogue's median is 0.68, so the middle of the scale would call almost
 * every song high-energy; 0.55 sits between the two groups (on the labelled file, splitting each track's own
 * valence and energy at 0.5 / 0.55 agrees with its label for 0.48 of tracks, the best of a 0.05 grid by 0.01).
 */
export const VALENCE_SPLIT = 0.5
export const ENERGY_SPLIT = 0.55

export interface Thresholds {
  valence: number
  energy: number
}

export const DEFAULT_THRESHOLDS: Thresholds = { valence: VALENCE_SPLIT, energy: ENERGY_SPLIT }

/**
 * The mood of a point (a cluster centre or a track) by threshold rules on its valence and energy in Spotify's
 * units: valence >= split is high, energy >= split is high; high/high is Happy, low valence and high energy
 * Energetic, high valence and low energy Calm, low/low Sad. Values on a split count as high.
 */
export function nameByThresholds(valence: number, energy: number, t: Thresholds = DEFAULT_THRESHOLDS): Mood {
  return moodAt(valence >= t.valence, energy >= t.energy)
}

/**
 * Each quadrant's prototype: the middle of its part of the unit square once split at the thresholds
 * (Happy at the middle of [valence split, 1] x [energy split, 1], and so on).
 */
export function prototypeOf(mood: Mood, t: Thresholds = DEFAULT_THRESHOLDS): { valence: number; energy: number } {
  const info = MOOD_INFO[mood]
  const mid = (split: number, high: boolean) => (high ? (split + 1) / 2 : split / 2)
  return { valence: mid(t.valence, info.valence === 'high'), energy: mid(t.energy, info.energy === 'high') }
}

/**
 * Names each centre (rows of `centres`, in original units) in two steps:
 * 1. the threshold rule (nameByThresholds) on the centre's valence and energy;
 * 2. when that leaves a mood without a centre while another mood has several, the missing moods are given to
 *    centres of those crowded moods one to one, by the assignment with the smallest total squared distance
 *    (valence-energy plane) of each renamed centre to its new mood's prototype (prototypeOf), keeping at least
 *    one centre on every mood that had one. A centre alone in its threshold quadrant is never renamed.
 * On the 114k catalogue at k = 4 the rule alone names two centres Sad (valence 0.17 / energy 0.17 and
 * 0.42 / 0.42) and none Calm; step 2 names the second one Calm, the nearer of the two to Calm's prototype.
 */
export function nameCentres(centres: Float64Array, dims: number, valenceCol: number, energyCol: number, t: Thresholds = DEFAULT_THRESHOLDS): Mood[] {
  const points: { valence: number; energy: number }[] = []
  for (let c = 0; c * dims < centres.length; c++) points.push({ valence: centres[c * dims + valenceCol], energy: centres[c * dims + energyCol] })
  const names = points.map((p) => nameByThresholds(p.valence, p.energy, t))
  const missing = MOODS.filter((m) => !names.includes(m))
  if (missing.length === 0) return names
  const best = bestRenaming(points, names, missing, t)
  for (const [c, mood] of best) names[c] = mood
  return names
}

/** The cheapest one-to-one renaming of crowded centres to missing moods (exhaustive: k <= 10 keeps it tiny). */
function bestRenaming(points: { valence: number; energy: number }[], names: Mood[], missing: Mood[], t: Thresholds): [number, Mood][] {
  const cost = (c: number, m: Mood) => {
    const p = prototypeOf(m, t)
    return (points[c].valence - p.valence) ** 2 + (points[c].energy - p.energy) ** 2
  }
  const left = new Map<Mood, number>()
  for (const n of names) left.set(n, (left.get(n) ?? 0) + 1)
  let best: { total: number; pairs: [number, Mood][] } = { total: Infinity, pairs: [] }
  const used = new Set<number>()
  const pairs: [number, Mood][] = []
  const search = (i: number, total: number) => {
    if (total >= best.total) return
    if (i === missing.length) { best = { total, pairs: [...pairs] }; return }
    let placed = false
    for (let c = 0; c < points.length; c++) {
      if (used.has(c) || left.get(names[c])! < 2) continue
      placed = true
      used.add(c); left.set(names[c], left.get(names[c])! - 1); pairs.push([c, missing[i]])
      search(i + 1, total + cost(c, missing[i]))
      used.delete(c); left.set(names[c], left.get(names[c])! + 1); pairs.pop()
    }
    // No crowded centre is left for this mood: it stays without a cluster, the others are still placed.
    if (!placed) search(i + 1, total)
  }
  search(0, 0)
  return best.pairs
}
