import type { Item, ItemStore, QueryRequest } from './item-store.ts';

/** Every page of a query, one after another (each up to `limit` items or 1 MB). */
export async function* pages(
  store: Pick<ItemStore, 'query'>,
  request: Omit<QueryRequest, 'cursor'>,
): AsyncGenerator<Item[]> {
  let cursor: string | undefined;
  do {
    const page = await store.query({ ...request, ...(cursor ? { cursor } : {}) });
    yield page.items;
    cursor = page.cursor;
  } while (cursor);
}
