import type { TrackSummary } from '../api';
import { formatArtists, SEED_COLOURS } from '../format';
import { useTrackActions } from '../actions';
import { Artwork } from './TrackRow';
import { CloseIcon, SeedIcon } from './Icons';

export const MAX_SEEDS = 5;

interface SeedBarProps {
  seeds: TrackSummary[];
  message: string | null;
  onRemove: (id: string) => void;
  onClear: () => void;
}

export function SeedBar({ seeds, message, onRemove, onClear }: SeedBarProps) {
  const { open } = useTrackActions();
  return (
    <section className="seeds panel" aria-labelledby="seeds-title">
      <div className="panel-head">
        <h2 id="seeds-title">
          <SeedIcon /> Seeds
          <span className="count-pill" aria-label={`${seeds.length} of ${MAX_SEEDS} seeds`}>
            {seeds.length}/{MAX_SEEDS}
          </span>
        </h2>
        {seeds.length > 0 && (
          <button type="button" className="btn btn-ghost btn-small" onClick={onClear}>
            Clear all
          </button>
        )}
      </div>
      {seeds.length === 0 ? (
        <p className="empty-hint">
          Start typing in the search box above and pick up to {MAX_SEEDS} tracks you love. Playlists and
          recommendations grow from them.
        </p>
      ) : (
        <ul className="seed-list">
          {seeds.map((s, i) => (
            <li
              key={s.id}
              className="seed-chip"
              data-testid="seed-chip"
              data-track-id={s.id}
              style={{ ['--seed-colour' as string]: SEED_COLOURS[i % SEED_COLOURS.length] }}
            >
              <Artwork track={s} size={30} />
              <button type="button" className="seed-text" onClick={() => open(s.id)} title="Show details">
                <span className="seed-name">{s.name}</span>
                <span className="seed-artists">{formatArtists(s.artists)}</span>
              </button>
              <button
                type="button"
                className="seed-remove"
                data-testid="seed-remove"
                aria-label={`Remove seed ${s.name}`}
                title="Remove seed"
                onClick={() => onRemove(s.id)}
              >
                <CloseIcon size={14} />
              </button>
            </li>
          ))}
        </ul>
      )}
      {message && (
        <p className="seed-message" role="status" data-testid="seed-message">
          {message}
        </p>
      )}
    </section>
  );
}
