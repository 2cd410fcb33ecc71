/**
 * One look for every chart, in SVG, PNG and the web app: a Vega-Lite config built from the web app's palette
 * (web/src/styles.css), dark as the app is, and a light variant for printed reports and READMEs. Text is set
 * in DejaVu Sans, the font bundled with the PNG renderer, so a chart renders the same with no system fonts.
 */
import type { Config } from 'vega-lite'
import { MOOD_INFO, MOODS as MOOD_NAMES } from '../moods/moods.js'

export type ThemeName = 'light' | 'dark'

/** The font every chart uses; its TTF files ship in the dejavu-fonts-ttf package. */
export const CHART_FONT = 'DejaVu Sans'

/** The moods songs are named by (issue 10): src/moods/moods.ts holds them, with their colours. */
export const MOODS = MOOD_NAMES

interface Palette {
  background: string
  text: string
  muted: string
  grid: string
  domain: string
  /** Categorical colours: the first four belong to MOODS, in order. */
  category: string[]
  /** Low, middle and high ends of the diverging scale (correlations). */
  diverging: [string, string, string]
  /** Low to high for counts and shares (heatmaps, densities). */
  sequential: [string, string]
}

/** The web app's own colours (styles.css :root and its reason chips). */
const DARK: Palette = {
  background: '#141821', // --panel: charts sit on panels
  text: '#e9ebf1', // --text
  muted: '#8d95a8', // --muted
  grid: '#242a38', // --line
  domain: '#2f3647', // --line-2
  category: ['#fcd34d', '#ff5c8a', '#2dd4bf', '#9cc7ff', '#8b6cff', '#f5b94a', '#7ee8d7', '#ff9bb8', '#c9bcff', '#f87171'],
  diverging: ['#138a7c', '#1a1f2b', '#7a5af0'], // ends deepened so light cell labels stay readable
  sequential: ['#1a1f2b', '#7a5af0'],
}

/** The same hues, darkened where needed to read on white. */
const LIGHT: Palette = {
  background: '#ffffff',
  text: '#1a1f2b',
  muted: '#5b6478',
  grid: '#e4e7ee',
  domain: '#c5cad6',
  category: ['#d39e00', '#e0336b', '#0f9f8c', '#3b82f6', '#6d4dea', '#c77d0a', '#2bb3a0', '#d9578a', '#8f77e8', '#dc2626'],
  diverging: ['#4fd1bf', '#f4f5f8', '#a58bff'], // ends lightened so dark cell labels stay readable
  sequential: ['#f4f2fe', '#9d85f5'],
}

export function palette(theme: ThemeName): Readonly<Palette> {
  return theme === 'dark' ? DARK : LIGHT
}

/** Opacity of network edges: the lowest at which a lone edge in the muted colour keeps 3:1 contrast (WCAG's non-text minimum) on both backgrounds. */
const EDGE_OPACITY = 0.7

/** The Vega-Lite config of a theme: pass it to `compile(spec, { config })` or vega-embed's `config`. */
export function themeConfig(theme: ThemeName): Config {
  const p = palette(theme)
  const text = { font: CHART_FONT, color: p.text }
  return {
    background: p.background,
    font: CHART_FONT,
    padding: 12,
    view: { stroke: 'transparent' },
    title: { ...text, fontSize: 15, fontWeight: 'bold', anchor: 'start', subtitleColor: p.muted, subtitleFont: CHART_FONT, subtitleFontSize: 11, offset: 10 },
    axis: {
      labelFont: CHART_FONT, labelColor: p.muted, labelFontSize: 11,
      titleFont: CHART_FONT, titleColor: p.text, titleFontSize: 12, titleFontWeight: 'normal',
      gridColor: p.grid, domainColor: p.domain, tickColor: p.domain,
    },
    legend: { labelFont: CHART_FONT, labelColor: p.muted, titleFont: CHART_FONT, titleColor: p.text, titleFontWeight: 'normal' },
    header: { labelFont: CHART_FONT, labelColor: p.text, titleFont: CHART_FONT, titleColor: p.text },
    text: { font: CHART_FONT, color: p.text },
    mark: { color: p.category[4] },
    bar: { color: p.category[4] },
    line: { strokeWidth: 2 },
    // network edges (style 'network-edge'): the muted text colour, which reads on both backgrounds
    style: { 'network-edge': { color: p.muted, strokeOpacity: EDGE_OPACITY } },
    point: { filled: true, size: 18, opacity: 0.7 },
    range: {
      category: p.category,
      diverging: [...p.diverging],
      heatmap: [...p.sequential],
      ramp: [...p.sequential],
    },
  }
}

/**
 * Colour scale that gives each mood the same colour in every chart, whatever moods a chart's data holds: the
 * colours of MOOD_INFO (src/moods/moods.ts), the one place mood colours are set (chips, API, charts).
 */
export function moodScale(): { domain: string[]; range: string[] } {
  return { domain: [...MOODS], range: MOODS.map((m) => MOOD_INFO[m].colour) }
}
