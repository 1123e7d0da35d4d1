import { isPlazaError, type ErrorCode } from '../../src/platform/errors.ts';

/** The message of `outcome` when it is the PlazaError `code`; anything else (undefined: success) fails the test. */
function messageOf(outcome: unknown, code: ErrorCode): string {
  if (isPlazaError(outcome, code)) return outcome.message;
  throw new Error(
    `expected a PlazaError ${code}, got ${outcome === undefined ? 'success' : String(outcome)}`,
    {
      cause: outcome,
    },
  );
}

/** Asserts that `action` fails with the PlazaError `code` (and nothing else). */
export async function failsWith(action: Promise<unknown>, code: ErrorCode): Promise<void> {
  await rejectionMessage(action, code);
}

/** The message of the PlazaError `code` that `action` rejects with. */
export async function rejectionMessage(action: Promise<unknown>, code: ErrorCode): Promise<string> {
  const outcome = await action.then(
    () => undefined,
    (error: unknown) => error,
  );
  return messageOf(outcome, code);
}

/** The message of the PlazaError `code` that `run` throws. */
export function thrownMessage(run: () => unknown, code: ErrorCode): string {
  let outcome: unknown;
  try {
    run();
  } catch (error) {
    outcome = error;
  }
  return messageOf(outcome, code);
}
