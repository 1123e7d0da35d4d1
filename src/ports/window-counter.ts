/**
 * Counts events per key in fixed windows of time (a minute, say): what per-user write limits
 * are measured with. One adapter keeps counts in the process's memory (one server); another in
 * the table (every Lambda instance and server sharing it sees the same counts).
 */
export interface WindowCounter {
  /** Counts one event for `key` in the current window of `windowSeconds`; resolves to the window's count. */
  increment(key: string, windowSeconds: number): Promise<number>;
}
