import type { JourneyItem, MoodName } from '../api-moods';
import { moodColour } from '../api-moods';

/** Side of the valence-energy square, in SVG units (drawn at whatever size the CSS gives it). */
const PLANE = 200;
/** Inner margin so end points and their rings are not cut at the edges. */
const PAD = 10;
/** Width and height of the per-step chart, in SVG units. */
const STEPS_W = 300;
const STEPS_H = 120;

/** Height of the bands above and below the square that name its corners. */
const BAND = 16;

/**
 * The corner each mood points to, valence left to right and energy bottom to top (as src/moods/moods.ts). The
 * names sit outside the square: mood boundaries are the classifier's, not the square's midlines, so the square
 * is not split into quadrants, and a step near a corner never hides a name.
 */
const CORNERS: { mood: MoodName; right: boolean; top: boolean }[] = [
  { mood: 'Energetic', right: false, top: true },
  { mood: 'Happy', right: true, top: true },
  { mood: 'Sad', right: false, top: false },
  { mood: 'Calm', right: true, top: false },
];

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
const px = (valence: number) => PAD + clamp01(valence) * (PLANE - 2 * PAD);
const py = (energy: number) => BAND + PAD + (1 - clamp01(energy)) * (PLANE - 2 * PAD);
const pct = (v: number) => `${Math.round(v * 100)}%`;

/** The journey on the valence-energy plane: the moods at its corners, the path, the first and last steps ringed. */
export function JourneyPlane({ items }: { items: JourneyItem[] }) {
  if (items.length === 0) return null;
  const first = items[0];
  const last = items[items.length - 1];
  const points = items.map((it) => `${px(it.valence).toFixed(1)},${py(it.energy).toFixed(1)}`).join(' ');
  const label =
    `The journey on the mood plane: it starts at valence ${pct(first.valence)}, energy ${pct(first.energy)} ` +
    `and ends at valence ${pct(last.valence)}, energy ${pct(last.energy)}.`;
  const height = PLANE + 2 * BAND;
  return (
    <svg className="journey-plane" viewBox={`0 0 ${PLANE} ${height}`} role="img" aria-label={label} data-testid="journey-plane">
      <rect x={0.5} y={BAND + 0.5} width={PLANE - 1} height={PLANE - 1} rx={6} className="journey-square" />
      {CORNERS.map((c) => (
        <text
          key={c.mood}
          className="journey-corner"
          x={c.right ? PLANE - 2 : 2}
          y={c.top ? BAND - 4 : height - 3}
          textAnchor={c.right ? 'end' : 'start'}
          fill={moodColour(c.mood)}
        >
          {c.mood}
        </text>
      ))}
      <text className="journey-axis-name" x={PLANE / 2} y={BAND - 4} textAnchor="middle">
        ↑ energy
      </text>
      <text className="journey-axis-name" x={PLANE / 2} y={height - 3} textAnchor="middle">
        valence →
      </text>
      <polyline points={points} className="journey-line" />
      {items.map((it, i) => (
        <circle key={it.track.id} cx={px(it.valence)} cy={py(it.energy)} r={i === 0 || i === items.length - 1 ? 5.5 : 3.2} fill={moodColour(it.mood)} className="journey-dot" />
      ))}
      <circle cx={px(first.valence)} cy={py(first.energy)} r={9} className="journey-ring" />
      <circle cx={px(last.valence)} cy={py(last.energy)} r={9} className="journey-ring is-end" />
    </svg>
  );
}

/** Valence and energy step by step: the two lines a smooth journey draws without jumps. */
export function JourneySteps({ items }: { items: JourneyItem[] }) {
  if (items.length < 2) return null;
  const x = (i: number) => 8 + (i / (items.length - 1)) * (STEPS_W - 16);
  const y = (v: number) => 8 + (1 - clamp01(v)) * (STEPS_H - 16);
  const line = (key: 'valence' | 'energy') => items.map((it, i) => `${x(i).toFixed(1)},${y(it[key]).toFixed(1)}`).join(' ');
  return (
    <figure className="journey-steps">
      <svg viewBox={`0 0 ${STEPS_W} ${STEPS_H}`} role="img" aria-label="Valence and energy of each step of the journey" preserveAspectRatio="none">
        <line x1={0} y1={y(0.5)} x2={STEPS_W} y2={y(0.5)} className="journey-axis" />
        <polyline points={line('energy')} className="journey-steps-energy" vectorEffect="non-scaling-stroke" />
        <polyline points={line('valence')} className="journey-steps-valence" vectorEffect="non-scaling-stroke" />
      </svg>
      <figcaption>
        <span className="key key-energy" /> Energy <span className="key key-valence" /> Valence <span className="muted">· by step</span>
      </figcaption>
    </figure>
  );
}
