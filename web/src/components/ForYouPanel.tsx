import type { ModelInfo, ModelName, Reason, Recommendation } from '../api';
import type { MoodName } from '../api-moods';
import { useTrackActions, visible } from '../actions';
import { BecauseBars } from './FeatureBars';
import { SkeletonRows, TrackRow } from './TrackRow';
import { FlameIcon, HeartIcon, PlayIcon, SeedIcon, SparkIcon, UsersIcon } from './Icons';

export interface RecsState {
  status: 'loading' | 'ready';
  items: Recommendation[];
  /** Incremented each time a new response is rendered. */
  version: number;
  coldStart: boolean;
  model: string | null;
  /** True once any response has arrived. */
  loaded: boolean;
}

function ReasonIcon({ kind }: { kind: Reason['kind'] }) {
  switch (kind) {
    case 'seed':
      return <SeedIcon size={14} />;
    case 'like':
      return <HeartIcon size={14} filled />;
    case 'play':
      return <PlayIcon size={14} />;
    case 'collaborative':
      return <UsersIcon size={14} />;
    case 'popular':
      return <FlameIcon size={14} />;
    default:
      return <SparkIcon size={14} />;
  }
}

interface ModelPickerProps {
  models: ModelInfo[];
  value: ModelName | null;
  onChange: (m: ModelName) => void;
}

export function ModelPicker({ models, value, onChange }: ModelPickerProps) {
  return (
    <div className="segmented" role="group" aria-label="Recommendation model">
      {models.map((m) => (
        <button
          key={m.name}
          type="button"
          data-testid={`model-${m.name}`}
          className={value === m.name ? 'is-active' : undefined}
          aria-pressed={value === m.name}
          data-active={value === m.name ? 'true' : 'false'}
          title={m.description}
          onClick={() => onChange(m.name)}
        >
          {m.label}
        </button>
      ))}
    </div>
  );
}

interface ForYouPanelProps extends ModelPickerProps {
  recs: RecsState;
  hasSeeds: boolean;
  /** The mood the listener picked: only its tracks are shown. */
  mood?: MoodName | null;
}

export function ForYouPanel({ recs, models, value, onChange, hasSeeds, mood }: ForYouPanelProps) {
  const { dismissed } = useTrackActions();
  const items = visible(recs.items, dismissed);
  const showSkeleton = recs.status === 'loading' && !recs.loaded;

  return (
    <section className="panel foryou" aria-labelledby="foryou-title">
      <div className="panel-head">
        <h2 id="foryou-title">
          <SparkIcon /> For you
        </h2>
        <ModelPicker models={models} value={value} onChange={onChange} />
      </div>
      <div className="foryou-sub">
        {!recs.loaded ? (
          <p className="panel-hint">Finding music for you…</p>
        ) : recs.coldStart ? (
          <p className="panel-hint">
            {hasSeeds
              ? 'Still getting to know you — these follow your seeds.'
              : 'New here? These are popular picks. Like, play or add seeds to make them yours.'}
          </p>
        ) : (
          <p className="panel-hint">Tuned by your seeds and what you play, like and skip.</p>
        )}
        <span className="legend" aria-hidden="true">
          <i className="legend-seed" /> seed <i className="legend-track" /> this track
        </span>
      </div>
      {mood && recs.loaded && (
        <p className="panel-hint foryou-mood" data-testid="foryou-mood">
          Only {mood} tracks — choose “Any mood” to see everything.
        </p>
      )}
      <div
        className={`foryou-list${recs.status === 'loading' && recs.loaded ? ' is-refreshing' : ''}`}
        data-testid="foryou-list"
        data-state={recs.status}
        data-version={recs.version}
        aria-busy={recs.status === 'loading'}
        aria-live="polite"
      >
        {showSkeleton ? (
          <SkeletonRows count={6} />
        ) : items.length === 0 ? (
          <p className="empty-hint">
            {mood ? `No ${mood} tracks for you right now. Try another mood or “Any mood”.` : 'No recommendations right now. Try another model or add a seed.'}
          </p>
        ) : (
          <ul className="track-list">
            {items.map((rec) => (
              <TrackRow key={rec.track.id} track={rec.track} testId="foryou-item" mood={rec.mood}>
                {rec.reasons.length > 0 && (
                  <ul className="reasons">
                    {rec.reasons.map((r, i) => (
                      <li key={i} className={`reason reason-${r.kind}`} data-testid="reason">
                        <ReasonIcon kind={r.kind} />
                        <span>{r.text}</span>
                      </li>
                    ))}
                  </ul>
                )}
                <BecauseBars because={rec.because} />
              </TrackRow>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
