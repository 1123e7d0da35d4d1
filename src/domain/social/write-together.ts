import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { ItemStore, TransactAction } from '../../ports/item-store/item-store.ts';

/**
 * Writes `actions` together. Their conditions say that what they touch is (or is not yet) there, so
 * a cancelled transaction is NotFound with `notFound`.
 */
export async function writeTogether(
  store: Pick<ItemStore, 'transactWrite'>,
  actions: TransactAction[],
  notFound: string,
): Promise<void> {
  try {
    await store.transactWrite(actions);
  } catch (error) {
    if (isPlazaError(error, 'TransactionCanceledException')) throw new PlazaError('NotFound', notFound);
    throw error;
  }
}
