import { isPlazaError, type ErrorCode } from '../../src/platform/errors.ts';

/** Asserts that `action` fails with the PlazaError `code` (and nothing else). */
export async function failsWith(action: Promise<unknown>, code: ErrorCode): Promise<void> {
  const outcome = await action.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!isPlazaError(outcome, code)) {
    throw new Error(
      `expected a PlazaError ${code}, got ${outcome === undefined ? 'success' : String(outcome)}`,
      {
        cause: outcome,
      },
    );
  }
}
