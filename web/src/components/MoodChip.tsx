import type { CSSProperties } from 'react';
import { isMoodName, moodColour, type MoodName } from '../api-moods';
import '../moods.css';

/** The colour a mood's chip, swatch or path point is drawn in, as a CSS custom property. */
export function moodStyle(mood: MoodName): CSSProperties {
  return { ['--mood' as string]: moodColour(mood) };
}

/**
 * A track's mood: a coloured dot and the mood's name, so it reads without colour too. Renders nothing for a
 * track the API sent without a mood.
 */
export function MoodChip({ mood }: { mood: unknown }) {
  if (!isMoodName(mood)) return null;
  return (
    <span className="chip mood-chip" data-testid="mood-chip" data-mood={mood} style={moodStyle(mood)} title={`Mood: ${mood}`}>
      <span className="mood-dot" aria-hidden="true" />
      <span className="mood-chip-text">{mood}</span>
    </span>
  );
}

/** The mood of a list item: its own field, else its track's. */
export function itemMood(item: { mood?: unknown; track: { mood?: unknown } }): MoodName | undefined {
  if (isMoodName(item.mood)) return item.mood;
  return isMoodName(item.track.mood) ? item.track.mood : undefined;
}
