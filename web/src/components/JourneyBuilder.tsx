import { useState } from 'react';
import type { FormEvent } from 'react';
import type { Credentials, TrackSummary } from '../api';
import {
  JOURNEY_MAX,
  JOURNEY_MAX_SEEDS,
  JOURNEY_MIN,
  MOOD_NAMES,
  moodsApi,
  type Journey,
  type JourneyRequest,
  type MoodName,
} from '../api-moods';
import { useTrackActions, visible } from '../actions';
import { formatDuration } from '../format';
import { moodStyle } from './MoodChip';
import { JourneyPlane, JourneySteps } from './JourneyPath';
import { SkeletonRows, TrackRow } from './TrackRow';
import { CompassIcon, PlayIcon } from './Icons';
import '../moods.css';

type WithListener = <T>(fn: (c: Credentials) => Promise<T>) => Promise<T>;

/** A journey long enough to feel the change, short enough for one sitting (about three quarters of an hour). */
const DEFAULT_LENGTH = 12;

type SeedChoice = 'seeds' | 'liked' | 'none';

/** What each choice of sound means, for the buttons' tooltips. */
const TITLES: Record<SeedChoice, string> = {
  seeds: 'Keep to the sound of the seeds you picked',
  liked: 'Keep to the sound of your most recent likes',
  none: 'Keep to the sound of what you play and like most (anything, for someone new)',
};

interface JourneyBuilderProps {
  /** The seeds the listener chose in the seed bar. */
  seeds: TrackSummary[];
  /** The mood the journey starts from by default (the listener's own). */
  startMood: MoodName | null;
  withListener: WithListener;
  onError: (err: unknown) => void;
}

/** The length field as a journey length, or a sentence saying what is wrong with it. */
function parseLength(text: string): number | string {
  const n = Number(text.trim());
  if (!text.trim() || !Number.isInteger(n) || n < JOURNEY_MIN || n > JOURNEY_MAX) {
    return `A journey has ${JOURNEY_MIN} to ${JOURNEY_MAX} tracks.`;
  }
  return n;
}

/** The most recent liked tracks, up to the seeds a journey takes. */
function recentLikes(liked: ReadonlySet<string>): string[] {
  return [...liked].slice(-JOURNEY_MAX_SEEDS).reverse();
}

function MoodSelect({ label, value, onChange, testId }: { label: string; value: MoodName; onChange: (m: MoodName) => void; testId: string }) {
  return (
    <label className="field mood-select" style={moodStyle(value)}>
      <span>{label}</span>
      <select data-testid={testId} value={value} onChange={(e) => onChange(e.target.value as MoodName)}>
        {MOOD_NAMES.map((m) => (
          <option key={m} value={m}>
            {m}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Builds a playlist that moves from one mood to another in even steps of valence and energy. */
export function JourneyBuilder({ seeds, startMood, withListener, onError }: JourneyBuilderProps) {
  const { liked, dismissed, feedback } = useTrackActions();
  const [from, setFrom] = useState<MoodName | null>(null);
  const [to, setTo] = useState<MoodName>('Energetic');
  const [length, setLength] = useState(String(DEFAULT_LENGTH));
  const [choice, setChoice] = useState<SeedChoice>('seeds');
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [journey, setJourney] = useState<Journey | null>(null);

  const fromMood = from ?? (startMood && startMood !== to ? startMood : 'Calm');
  const likes = recentLikes(liked);
  const seedIds: Record<SeedChoice, string[]> = { seeds: seeds.slice(0, JOURNEY_MAX_SEEDS).map((s) => s.id), liked: likes, none: [] };
  const effective: SeedChoice = seedIds[choice].length || choice === 'none' ? choice : seeds.length ? 'seeds' : likes.length ? 'liked' : 'none';

  const build = async (e: FormEvent) => {
    e.preventDefault();
    if (loading) return;
    const n = parseLength(length);
    if (typeof n === 'string') return setProblem(n);
    if (fromMood === to) return setProblem('Choose two different moods: a journey goes from one to another.');
    setProblem(null);
    setLoading(true);
    const body: JourneyRequest = { from: fromMood, to, n, seeds: seedIds[effective] };
    try {
      setJourney(await withListener((c) => moodsApi.journey(c, body)));
    } catch (err) {
      onError(err);
    } finally {
      setLoading(false);
    }
  };

  const items = journey ? visible(journey.items, dismissed) : [];
  const totalMs = items.reduce((sum, it) => sum + (it.track.durationMs ?? 0), 0);

  return (
    <section className="panel journey" aria-labelledby="journey-title" aria-busy={loading} data-testid="journey-builder">
      <div className="panel-head">
        <h2 id="journey-title">
          <CompassIcon /> Mood journey
        </h2>
        {journey && items.length > 0 && (
          <span className="panel-note" data-testid="journey-summary">
            {journey.from} → {journey.to} · {items.length} tracks · {formatDuration(totalMs)}
          </span>
        )}
      </div>
      <p className="panel-hint">A playlist that moves from one mood to another, a small step at a time.</p>

      <form className="journey-form" onSubmit={build} noValidate>
        <MoodSelect label="From" value={fromMood} onChange={setFrom} testId="journey-from" />
        <span className="journey-arrow" aria-hidden="true">→</span>
        <MoodSelect label="To" value={to} onChange={setTo} testId="journey-to" />
        <label className="field">
          <span>Tracks</span>
          <input
            type="number"
            min={JOURNEY_MIN}
            max={JOURNEY_MAX}
            step={1}
            inputMode="numeric"
            data-testid="journey-length"
            value={length}
            aria-invalid={problem !== null && typeof parseLength(length) === 'string'}
            onChange={(e) => setLength(e.target.value)}
          />
        </label>
        <fieldset className="journey-seeds">
          <legend>Sound like</legend>
          <div className="segmented">
            {(
              [
                ['seeds', `Seeds (${seedIds.seeds.length})`, seeds.length === 0],
                ['liked', `Likes (${likes.length})`, likes.length === 0],
                ['none', 'My taste', false],
              ] as const
            ).map(([value, label, disabled]) => (
              <button
                key={value}
                type="button"
                data-testid={`journey-seeds-${value}`}
                className={effective === value ? 'is-active' : undefined}
                aria-pressed={effective === value}
                disabled={disabled}
                title={disabled ? (value === 'seeds' ? 'Add seeds with the search box first' : 'Like a few tracks first') : TITLES[value]}
                onClick={() => setChoice(value)}
              >
                {label}
              </button>
            ))}
          </div>
        </fieldset>
        <button type="submit" className="btn btn-primary" data-testid="journey-build" disabled={loading}>
          {loading ? 'Charting…' : 'Build journey'}
        </button>
      </form>
      {problem && (
        <p className="seed-message" role="alert" data-testid="journey-problem">
          {problem}
        </p>
      )}

      {loading && !journey && <SkeletonRows count={6} />}
      {!loading && !journey && (
        <p className="empty-hint">Choose where to start and where to end up, then hit “Build journey”.</p>
      )}
      {journey && items.length === 0 && !loading && <p className="empty-hint">Nothing left in this journey. Build another.</p>}
      {items.length > 0 && (
        <div className={`journey-result${loading ? ' is-refreshing' : ''}`}>
          <div className="journey-charts">
            <JourneyPlane items={items} />
            <div className="journey-side">
              <JourneySteps items={items} />
              <button type="button" className="btn btn-ghost btn-small" data-testid="journey-play" onClick={() => feedback(items[0].track, 'play')}>
                <PlayIcon size={14} /> Play from the start
              </button>
            </div>
          </div>
          <ol className="track-list" data-testid="journey-list">
            {items.map((it, i) => (
              <TrackRow key={it.track.id} track={it.track} testId="journey-item" index={i} mood={it.mood}>
                <span className="journey-step" data-testid="journey-step" data-valence={it.valence} data-energy={it.energy}>
                  <span className="journey-step-no">Step {i + 1} · </span>
                  Energy {Math.round(it.energy * 100)}% · Valence {Math.round(it.valence * 100)}%
                </span>
              </TrackRow>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
