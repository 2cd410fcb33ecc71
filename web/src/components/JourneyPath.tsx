import type { JourneyItem, MoodName } from '../api-moods';
import { moodColour } from '../api-moods';

/** Side of the valence-energy square, in SVG units (drawn at whatever size the CSS gives it). */
const PLANE = 200;
/** Inner margin so end points and their rings are not cut at the edges. */
const PAD = 10;
/** Width and height of the per-step chart, in SVG units. */
const STEPS_W = 300;
const STEPS_H = 120;

/** Where each mood sits on the plane: valence left to right, energy bottom to top (as src/moods/moods.ts). */
const QUADRANTS: { mood: MoodName; x: number; y: number; anchor: 'start' | 'end'; dy: number }[] = [
  { mood: 'Energetic', x: 0, y: 0, anchor: 'start', dy: 16 },
  { mood: 'Happy', x: 1, y: 0, anchor: 'end', dy: 16 },
  { mood: 'Sad', x: 0, y: 1, anchor: 'start', dy: -6 },
  { mood: 'Calm', x: 1, y: 1, anchor: 'end', dy: -6 },
];

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
const px = (valence: number) => PAD + clamp01(valence) * (PLANE - 2 * PAD);
const py = (energy: number) => PAD + (1 - clamp01(energy)) * (PLANE - 2 * PAD);
const pct = (v: number) => `${Math.round(v * 100)}%`;

/** The journey on the valence-energy plane: the four mood quadrants, the path, the first and last steps marked. */
export function JourneyPlane({ items }: { items: JourneyItem[] }) {
  if (items.length === 0) return null;
  const first = items[0];
  const last = items[items.length - 1];
  const points = items.map((it) => `${px(it.valence).toFixed(1)},${py(it.energy).toFixed(1)}`).join(' ');
  const label =
    `The journey on the mood plane: it starts at valence ${pct(first.valence)}, energy ${pct(first.energy)} ` +
    `and ends at valence ${pct(last.valence)}, energy ${pct(last.energy)}.`;
  const half = PLANE / 2;
  return (
    <svg className="journey-plane" viewBox={`0 0 ${PLANE} ${PLANE}`} role="img" aria-label={label} data-testid="journey-plane">
      {QUADRANTS.map((q) => (
        <g key={q.mood}>
          <rect x={q.x * half} y={q.y * half} width={half} height={half} fill={moodColour(q.mood)} fillOpacity={0.13} />
          <text
            className="journey-quadrant"
            x={q.x === 0 ? 6 : PLANE - 6}
            y={q.y === 0 ? 0 : PLANE}
            dy={q.dy}
            textAnchor={q.anchor}
            fill={moodColour(q.mood)}
          >
            {q.mood}
          </text>
        </g>
      ))}
      <line x1={half} y1={0} x2={half} y2={PLANE} className="journey-axis" />
      <line x1={0} y1={half} x2={PLANE} y2={half} className="journey-axis" />
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
