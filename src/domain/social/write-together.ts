import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { CancellationReason, ItemStore, TransactAction } from '../../ports/item-store/item-store.ts';

/**
 * Writes `actions` together. Their conditions say that what they touch is (or is not yet) there, so
 * a cancelled transaction is NotFound with `notFound`, unless `explain` names another error from the
 * reasons (a check that failed for a reason of its own, such as a block).
 */
export async function writeTogether(
  store: Pick<ItemStore, 'transactWrite'>,
  actions: TransactAction[],
  notFound: string,
  explain?: (reasons: CancellationReason[]) => PlazaError | undefined,
): Promise<void> {
  try {
    await store.transactWrite(actions);
  } catch (error) {
    if (isPlazaError(error, 'TransactionCanceledException')) {
      const reasons = (error.details?.cancellationReasons ?? []) as CancellationReason[];
      throw explain?.(reasons) ?? new PlazaError('NotFound', notFound);
    }
    throw error;
  }
}
