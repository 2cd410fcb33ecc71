// Display helpers: audio-feature scales and labels, durations, relative times, artwork colours.

interface FeatureScale {
  label: string;
  short: string;
  min: number;
  max: number;
  format: (v: number) => string;
}

const pct = (v: number) => `${Math.round(v * 100)}%`;
const KEYS = ['C', 'C♯', 'D', 'D♯', 'E', 'F', 'F♯', 'G', 'G♯', 'A', 'A♯', 'B'];

const unit = (label: string, short: string): FeatureScale => ({ label, short, min: 0, max: 1, format: pct });

const SCALES: Record<string, FeatureScale> = {
  danceability: unit('Danceability', 'Dance'),
  energy: unit('Energy', 'Energy'),
  valence: unit('Valence', 'Mood'),
  acousticness: unit('Acousticness', 'Acoustic'),
  instrumentalness: unit('Instrumentalness', 'Instr.'),
  liveness: unit('Liveness', 'Live'),
  speechiness: unit('Speechiness', 'Speech'),
  tempo: { label: 'Tempo', short: 'Tempo', min: 0, max: 250, format: (v) => `${Math.round(v)} bpm` },
  loudness: { label: 'Loudness', short: 'Loud', min: -60, max: 5, format: (v) => `${v.toFixed(1)} dB` },
  key: { label: 'Key', short: 'Key', min: 0, max: 11, format: (v) => KEYS[Math.round(v)] ?? String(v) },
  mode: { label: 'Mode', short: 'Mode', min: 0, max: 1, format: (v) => (v >= 0.5 ? 'major' : 'minor') },
  time_signature: { label: 'Time signature', short: 'Meter', min: 0, max: 7, format: (v) => `${Math.round(v)}/4` },
  popularity: { label: 'Popularity', short: 'Pop.', min: 0, max: 100, format: (v) => String(Math.round(v)) },
  duration_ms: { label: 'Duration', short: 'Length', min: 0, max: 600_000, format: (v) => formatDuration(v) },
  durationMs: { label: 'Duration', short: 'Length', min: 0, max: 600_000, format: (v) => formatDuration(v) },
  release_year: { label: 'Year', short: 'Year', min: 1950, max: 2030, format: (v) => String(Math.round(v)) },
  releaseYear: { label: 'Year', short: 'Year', min: 1950, max: 2030, format: (v) => String(Math.round(v)) },
};

/** Features that read well as bars (the rest are shown as facts). */
export const BAR_FEATURES = [
  'danceability',
  'energy',
  'valence',
  'acousticness',
  'instrumentalness',
  'liveness',
  'speechiness',
  'tempo',
  'loudness',
];

function titleCase(name: string): string {
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function fallbackScale(feature: string, values: number[]): FeatureScale {
  const inUnit = values.every((v) => v >= 0 && v <= 1);
  if (inUnit) return unit(titleCase(feature), titleCase(feature));
  const hi = Math.max(...values.map((v) => Math.abs(v)), 1);
  const lo = values.some((v) => v < 0) ? -hi : 0;
  return {
    label: titleCase(feature),
    short: titleCase(feature),
    min: lo,
    max: hi,
    format: (v) => (Math.abs(v) >= 100 ? String(Math.round(v)) : v.toFixed(2)),
  };
}

export function featureScale(feature: string, ...values: number[]): FeatureScale {
  return SCALES[feature] ?? fallbackScale(feature, values.length ? values : [0]);
}

/** Position of a value on its feature's scale, 0..1. */
export function normalise(feature: string, value: number, ...context: number[]): number {
  const s = featureScale(feature, value, ...context);
  if (!Number.isFinite(value) || s.max === s.min) return 0;
  return Math.min(1, Math.max(0, (value - s.min) / (s.max - s.min)));
}

export function formatFeature(feature: string, value: number): string {
  if (!Number.isFinite(value)) return '–';
  return featureScale(feature, value).format(value);
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '–:––';
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

export function formatArtists(artists: string[]): string {
  return artists.length ? artists.join(', ') : 'Unknown artist';
}

export function relativeTime(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const sec = Math.round((now - t) / 1000);
  if (sec < 10) return 'just now';
  if (sec < 60) return `${sec}s ago`;
  const min = Math.round(sec / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d < 7) return `${d} d ago`;
  return new Date(t).toLocaleDateString();
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** A stable two-colour gradient standing in for album art. */
export function artGradient(seed: string): string {
  const h = hash(seed);
  const a = h % 360;
  const b = (a + 40 + ((h >>> 9) % 80)) % 360;
  const angle = (h >>> 17) % 360;
  return `linear-gradient(${angle}deg, hsl(${a} 70% 52%), hsl(${b} 65% 28%))`;
}

/** Colours given to seeds, in order, so playlist rows can point back to theirs. */
export const SEED_COLOURS = ['#8b6cff', '#2dd4bf', '#f59e0b', '#f472b6', '#60a5fa'];

export function listenerDisplayName(id: string, name: string | null): string {
  if (name && name.trim()) return name.trim();
  // Ids may carry a type prefix such as "lst_"; show the first characters after it.
  const compact = id.replace(/^[a-zA-Z]+[_-](?=.)/, '').replace(/[^a-zA-Z0-9]/g, '');
  return `Listener ${compact.slice(0, 4) || id}`;
}
