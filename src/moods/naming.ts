import { moodAt, type Mood } from './moods.js'

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

/** Names each centre (rows of `centres`, in original units) from its valence and energy columns. */
export function nameCentres(centres: Float64Array, dims: number, valenceCol: number, energyCol: number, t: Thresholds = DEFAULT_THRESHOLDS): Mood[] {
  const names: Mood[] = []
  for (let c = 0; c * dims < centres.length; c++) names.push(nameByThresholds(centres[c * dims + valenceCol], centres[c * dims + energyCol], t))
  return names
}
