import argon2 from 'argon2';
import type { PasswordHasher } from '../../ports/identity.ts';

export interface Argon2Options {
  /** Memory in KiB (OWASP: at least 19 MiB). */
  memoryCost: number;
  timeCost: number;
  /** Hashes allowed to run at once; each holds `memoryCost` of memory. */
  concurrency: number;
}

export const owaspArgon2: Argon2Options = { memoryCost: 19 * 1024, timeCost: 2, concurrency: 4 };

/** argon2id with parallelism 1, as OWASP's password storage guidance asks. */
export function argon2PasswordHasher(options: Argon2Options = owaspArgon2): PasswordHasher {
  let running = 0;
  const bounded = async <T>(work: () => Promise<T>): Promise<T> => {
    running++;
    try {
      return await work();
    } finally {
      running--;
    }
  };
  const parameters = {
    type: argon2.argon2id,
    memoryCost: options.memoryCost,
    timeCost: options.timeCost,
    parallelism: 1,
  };
  return {
    hasCapacity: () => running < options.concurrency,
    hash: (password) => bounded(() => argon2.hash(password, parameters)),
    verify: (hash, password) => bounded(() => argon2.verify(hash, password)),
  };
}
