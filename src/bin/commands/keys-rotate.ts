import { join } from 'node:path';
import { joseTokenSigner } from '../../adapters/jose/jose-token-signer.ts';
import { loadConfig } from '../../platform/config.ts';
import { PlazaError } from '../../platform/errors.ts';
import { systemClock } from '../../ports/clock.ts';
import { existsSync } from 'node:fs';

/** `plaza keys rotate`: a new token signing key now; a running server switches to it within minutes. */
export async function keysRotateCommand(): Promise<void> {
  const config = loadConfig();
  const path = join(config.dataDir, 'identity', 'signing-keys.json');
  if (!existsSync(path)) {
    throw new PlazaError('BadInput', `No signing keys under ${config.dataDir}: start Plaza once first`);
  }
  const signer = await joseTokenSigner({
    path,
    now: systemClock.now,
    retireAfterMs:
      (Math.max(config.userPool.accessTokenSeconds, config.userPool.idTokenSeconds) + 3600) * 1000,
  });
  await signer.rotate();
  const keys = signer.jwks().keys;
  console.log(`New signing key ${String(keys.at(-1)?.kid)}; the JWKS publishes ${keys.length} key(s).`);
}
