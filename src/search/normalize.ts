/** Letters that NFD does not split into a base letter and a mark, spelled the way people type them. */
const FOLDS: Record<string, string> = { ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', æ: 'ae', œ: 'oe', ß: 'ss', ı: 'i' }
const FOLD_RE = new RegExp(`[${Object.keys(FOLDS).join('')}]`, 'g')
/** Apostrophes join their word ("don't" is "dont"), as people often leave them out when typing. */
const APOSTROPHES = /['’`´]/g
const NON_WORD = /[^\p{L}\p{N}]+/u

/** Lower-case and strip accents, so "Sinead" finds "Sinéad" and "BEYONCE" finds "Beyoncé". */
export function normalizeText(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().replace(FOLD_RE, (c) => FOLDS[c])
}

/** The normalised words of a text, in order: "Don't Stop Me Now!" -> ["dont", "stop", "me", "now"]. */
export function tokenize(s: string): string[] {
  return normalizeText(s).replace(APOSTROPHES, '').split(NON_WORD).filter((w) => w !== '')
}

/** Bracketed notes and everything after " - ": "(feat. X)", "[Live]", " - Remastered 2009", " - Radio Edit". */
const TITLE_NOTES = /\([^)]*\)|\[[^\]]*\]|\s[-–—]\s.*$/g

/**
 * The words of a title without its release notes: "Yesterday - Remastered 2009" -> ["yesterday"], "Moonlight
 * Sonata (First Movement from ...)" -> ["moonlight", "sonata"]. A title that is only notes keeps its words.
 */
export function baseTitleWords(name: string): string[] {
  const base = tokenize(name.replace(TITLE_NOTES, ' '))
  return base.length > 0 ? base : tokenize(name)
}
