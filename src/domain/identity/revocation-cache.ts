/**
 * The users' sign-out and revocation state, kept in memory: every API request checks its token
 * against it, and reading the user's record each time cost nine tenths of a verification.
 *
 * Exact in this process: writes through `forgettingWrites` forget a user's state before they
 * resolve. Writes by other processes (the CLI, other servers on the same table) reach it
 * through the users table's change stream, within the stream's poll interval.
 */
import type { ItemStore, Key, TransactAction } from '../../ports/item-store/item-store.ts';

export class RevocationCache<State> {
  readonly #entries = new Map<string, State>();
  readonly #maxEntries: number;
  /** Moves on every forget: a load that began before one is not kept (it may have read the old state). */
  #generation = 0;

  constructor(maxEntries = 100_000) {
    this.#maxEntries = maxEntries;
  }

  /** The state in memory (answered without a turn of the event loop), else loaded and kept. */
  get(sub: string, load: () => Promise<State>): State | Promise<State> {
    const cached = this.#entries.get(sub);
    if (cached !== undefined) return cached;
    return this.#load(sub, load);
  }

  async #load(sub: string, load: () => Promise<State>): Promise<State> {
    const generation = this.#generation;
    const state = await load();
    if (generation === this.#generation) {
      // The oldest entry makes room (a Map keeps insertion order).
      if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
      this.#entries.set(sub, state);
    }
    return state;
  }

  /** Forgets the user a key belongs to, if it is a user's record (`USER#<sub>` / `USER`). */
  forgetKey(key: Key): void {
    if (key.SK !== 'USER' || !key.PK.startsWith('USER#')) return;
    this.#generation++;
    this.#entries.delete(key.PK.slice('USER#'.length));
  }
}

const actionKey = (action: TransactAction): Key =>
  'put' in action
    ? { PK: String(action.put.PK), SK: String(action.put.SK) }
    : 'delete' in action
      ? action.delete
      : 'update' in action
        ? action.update.key
        : action.check;

/** The store, telling `forget` of every key it writes, before the write resolves. */
export function forgettingWrites(store: ItemStore, forget: (key: Key) => void): ItemStore {
  const written = <T>(keys: Key[], write: Promise<T>): Promise<T> =>
    write.finally(() => keys.forEach(forget));
  return {
    tableName: store.tableName,
    changes: store.changes,
    get: (key, options) => store.get(key, options),
    query: (request) => store.query(request),
    batchGet: (keys, options) => store.batchGet(keys, options),
    close: () => store.close(),
    put: (request) =>
      written([{ PK: String(request.item.PK), SK: String(request.item.SK) }], store.put(request)),
    update: (request) => written([request.key], store.update(request)),
    delete: (request) => written([request.key], store.delete(request)),
    transactWrite: (actions) => written(actions.map(actionKey), store.transactWrite(actions)),
    batchWrite: (requests) =>
      written(
        requests.map((request) =>
          'put' in request ? { PK: String(request.put.PK), SK: String(request.put.SK) } : request.delete,
        ),
        store.batchWrite(requests),
      ),
  };
}
