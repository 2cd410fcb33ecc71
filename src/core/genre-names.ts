/**
 * Display names for the genre labels of the catalogues. The datasets spell genres as slugs ("r-n-b",
 * "hard-rock", "j-pop") or in lower case ("album rock"); people read "R&B", "Hard Rock", "J-Pop". Raw labels
 * stay the ids (filters, the API, the CLI's `--genre`); only text meant for people goes through here.
 */

/** Names that title case would get wrong: abbreviations, accents, and hyphens that belong to the name. */
const SPECIAL: Readonly<Record<string, string>> = {
  'r-n-b': 'R&B',
  'rock-n-roll': "Rock 'n' Roll",
  'drum-and-bass': 'Drum and Bass',
  edm: 'EDM',
  idm: 'IDM',
  mpb: 'MPB',
  forro: 'Forró',
  'hip-hop': 'Hip-Hop',
  'trip-hop': 'Trip-Hop',
  'synth-pop': 'Synth-Pop',
  'honky-tonk': 'Honky-Tonk',
  'singer-songwriter': 'Singer-Songwriter',
  'j-pop': 'J-Pop',
  'j-rock': 'J-Rock',
  'j-idol': 'J-Idol',
  'j-dance': 'J-Dance',
  'k-pop': 'K-Pop',
  'pop-film': 'Film Pop',
  'show-tunes': 'Show Tunes',
}

/** Small words left in lower case inside a name ("Music of the Night" style). */
const SMALL_WORDS = new Set(['and', 'of', 'the', 'n'])

const capitalise = (word: string, i: number) =>
  i > 0 && SMALL_WORDS.has(word) ? word : word.charAt(0).toUpperCase() + word.slice(1)

/** The name of a genre as people write it: `piano` -> `Piano`, `r-n-b` -> `R&B`, `album rock` -> `Album Rock`. */
export function genreDisplayName(genre: string): string {
  const key = genre.trim().toLowerCase()
  const special = SPECIAL[key]
  if (special) return special
  return key.split(/[\s_-]+/).filter(Boolean).map(capitalise).join(' ')
}
