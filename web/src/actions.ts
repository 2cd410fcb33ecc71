import { createContext, useContext } from 'react';
import type { FeedbackKind, TrackSummary } from './api';

/** Per-track state and actions shared by every track row in the app. */
export interface TrackActions {
  playingId: string | null;
  liked: ReadonlySet<string>;
  /** Tracks skipped or disliked this session: 'leaving' while fading out, then 'gone'. */
  dismissed: ReadonlyMap<string, 'leaving' | 'gone'>;
  feedback: (track: TrackSummary, kind: FeedbackKind) => void;
  open: (trackId: string) => void;
  addSeed: (track: TrackSummary) => void;
  isSeed: (trackId: string) => boolean;
}

export const TrackActionsContext = createContext<TrackActions | null>(null);

export function useTrackActions(): TrackActions {
  const value = useContext(TrackActionsContext);
  if (!value) throw new Error('useTrackActions must be used inside TrackActionsContext');
  return value;
}

/** Items of a list without the tracks that finished fading out. */
export function visible<T extends { track: TrackSummary }>(items: T[], dismissed: ReadonlyMap<string, string>): T[] {
  return items.filter((it) => dismissed.get(it.track.id) !== 'gone');
}
