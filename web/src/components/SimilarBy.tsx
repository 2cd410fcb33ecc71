import { useEffect, useState } from 'react';
import { api } from '../api';
import '../upnext.css';

/** The default similar-track model: the fitted audio-feature and genre vectors. */
export const FEATURES = 'features';

/** Words for each model, as a listener would say it; an unknown trained model shows its own name. */
const LABELS: Record<string, string> = {
  [FEATURES]: 'audio & genre',
  autoencoder: 'learned (autoencoder)',
  transformer: 'learned (Transformer)',
};

/** The server's trained embedding models, asked once per page: they change only when someone trains one. */
let trained: Promise<string[]> | null = null;

function trainedModels(): Promise<string[]> {
  trained ??= api.models().then((m) => m.similar ?? [], () => {
    trained = null;
    return [];
  });
  return trained;
}

/** The trained embedding models this server has for its catalogue ([] until known, or when there are none). */
export function useSimilarModels(): string[] {
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    void trainedModels().then((n) => live && setNames(n));
    return () => {
      live = false;
    };
  }, []);
  return names;
}

interface SimilarByProps {
  /** Trained embedding models; the choice is hidden when there are none. */
  models: string[];
  value: string;
  onChange: (model: string) => void;
}

/** "Sounds like by: audio & genre | learned (autoencoder)" above the similar tracks. */
export function SimilarBy({ models, value, onChange }: SimilarByProps) {
  if (models.length === 0) return null;
  return (
    <div className="similar-by" role="group" aria-label="Sounds like by" data-testid="similar-by">
      <span className="sb-label">Sounds like by:</span>
      {[FEATURES, ...models].map((m) => (
        <button key={m} type="button" className="sb-option" aria-pressed={value === m} data-model={m} onClick={() => onChange(m)}>
          {LABELS[m] ?? m}
        </button>
      ))}
    </div>
  );
}
