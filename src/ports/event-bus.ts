/** Where mutations announce what they did, for live subscriptions. */
export interface EventBus {
  publish(topic: string, payload: unknown): void;
  /** Returns the function that stops listening. */
  subscribe(topic: string, listener: (payload: unknown) => void): () => void;
}
