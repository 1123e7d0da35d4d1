/**
 * The story viewer's position: whose stories, which one, and how far through it.
 * Images show for a fixed time, videos for their own length; the viewer moves on
 * by itself, to the next person's stories after the last, and closes after the
 * very last one.
 */

export const imageStoryMs = 5000;

export interface ViewerState {
  /** How many stories each person in the bar has, in order. */
  counts: number[];
  user: number;
  story: number;
  /** Time shown so far of the current story. */
  elapsedMs: number;
  paused: boolean;
  closed: boolean;
}

export type ViewerAction =
  | { type: 'next' }
  | { type: 'previous' }
  | { type: 'tick'; ms: number; durationMs: number }
  /** A video's own position: it moves on when the video ends, not on the clock. */
  | { type: 'played'; elapsedMs: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'close' };

export function openViewer(counts: number[], user: number): ViewerState {
  const first = Math.max(0, Math.min(user, counts.length - 1));
  return { counts, user: first, story: 0, elapsedMs: 0, paused: false, closed: (counts[first] ?? 0) === 0 };
}

function next(state: ViewerState): ViewerState {
  if (state.story + 1 < (state.counts[state.user] ?? 0))
    return { ...state, story: state.story + 1, elapsedMs: 0 };
  for (let user = state.user + 1; user < state.counts.length; user++) {
    if ((state.counts[user] ?? 0) > 0) return { ...state, user, story: 0, elapsedMs: 0 };
  }
  return { ...state, elapsedMs: 0, closed: true };
}

function previous(state: ViewerState): ViewerState {
  if (state.story > 0) return { ...state, story: state.story - 1, elapsedMs: 0 };
  for (let user = state.user - 1; user >= 0; user--) {
    const count = state.counts[user] ?? 0;
    if (count > 0) return { ...state, user, story: count - 1, elapsedMs: 0 };
  }
  return { ...state, elapsedMs: 0 };
}

export function viewerReducer(state: ViewerState, action: ViewerAction): ViewerState {
  if (state.closed) return state;
  switch (action.type) {
    case 'next':
      return next(state);
    case 'previous':
      return previous(state);
    case 'tick': {
      if (state.paused) return state;
      const elapsedMs = state.elapsedMs + action.ms;
      return elapsedMs >= action.durationMs ? next(state) : { ...state, elapsedMs };
    }
    case 'played':
      return { ...state, elapsedMs: action.elapsedMs };
    case 'pause':
      return { ...state, paused: true };
    case 'resume':
      return { ...state, paused: false };
    case 'close':
      return { ...state, closed: true };
  }
}

/** How far each of the current person's stories has been shown, 0 to 1, for the progress segments. */
export function segments(state: ViewerState, durationMs: number): number[] {
  return Array.from({ length: state.counts[state.user] ?? 0 }, (_, index) =>
    index < state.story ? 1 : index > state.story ? 0 : Math.min(1, state.elapsedMs / durationMs),
  );
}
