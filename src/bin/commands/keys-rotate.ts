import { rotateSigningKey } from '../../app/operations.ts';
import { loadConfig } from '../../platform/config.ts';

/** `plaza keys rotate`: a new token signing key now; a running server switches to it within minutes. */
export async function keysRotateCommand(): Promise<void> {
  const kids = await rotateSigningKey(loadConfig());
  console.log(`New signing key ${String(kids.at(-1))}; the JWKS publishes ${kids.length} key(s).`);
}
