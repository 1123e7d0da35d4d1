/**
 * API keys in AppSync's manner (`da2-…`): read-only access to public data,
 * each with an expiry. Only a hash of a key is stored, so the table never
 * holds a usable key.
 */
import { createHash } from 'node:crypto';
import { PlazaError } from '../../platform/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Ids } from '../../ports/ids.ts';
import type { ApiKeyVerifier } from '../../ports/identity-verifier.ts';
import type { ItemStore } from '../../ports/item-store/item-store.ts';

export interface ApiKeyServices {
  /** The user pool's table (identity data lives apart from social data). */
  store: ItemStore;
  clock: Clock;
  ids: Ids;
}

const maxLifetimeMs = 365 * 24 * 3600 * 1000;
const hash = (key: string) => createHash('sha256').update(key).digest('hex');
const keyOf = (key: string) => ({ PK: `APIKEY#${hash(key)}`, SK: 'APIKEY' });

export interface CreatedApiKey {
  key: string;
  id: string;
  description: string;
  expiresAt: string;
}

export async function createApiKey(
  input: { description: string; lifetimeMs: number },
  { store, clock, ids }: Pick<ApiKeyServices, 'store' | 'clock' | 'ids'>,
): Promise<CreatedApiKey> {
  if (!(input.lifetimeMs > 0 && input.lifetimeMs <= maxLifetimeMs)) {
    throw new PlazaError('BadInput', 'An API key lives between 1 ms and 365 days');
  }
  const key = `da2-${ids.secret(20)}`;
  const id = ids.ulid();
  const expiresAt = clock.now() + input.lifetimeMs;
  await store.put({
    item: {
      ...keyOf(key),
      id,
      description: input.description,
      expiresAt: new Date(expiresAt).toISOString(),
      // The store forgets the key once it has expired.
      ttl: Math.ceil(expiresAt / 1000),
    },
    conditions: [{ op: 'itemNotExists' }],
  });
  return { key, id, description: input.description, expiresAt: new Date(expiresAt).toISOString() };
}

export function apiKeyVerifier({ store, clock }: Pick<ApiKeyServices, 'store' | 'clock'>): ApiKeyVerifier {
  return {
    async verify(key) {
      if (typeof key !== 'string' || !/^da2-[A-Za-z0-9_-]{20,64}$/.test(key)) {
        throw new PlazaError('Unauthorized', 'Invalid API key');
      }
      const { item } = await store.get(keyOf(key));
      if (!item || Date.parse(String(item.expiresAt)) <= clock.now()) {
        throw new PlazaError('Unauthorized', 'Invalid API key');
      }
      return { kind: 'apiKey', keyId: String(item.id) };
    },
  };
}
