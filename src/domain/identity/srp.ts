/**
 * The server side of Cognito's SRP-6a variant (USER_SRP_AUTH with the
 * PASSWORD_VERIFIER challenge), which amazon-cognito-identity-js and Amplify
 * use by default: the password never crosses the wire, and the pool keeps
 * only a salt and a verifier.
 *
 * Cognito's choices: the 3072-bit MODP group of RFC 3526 with g = 2,
 * SHA-256, k = H(N | g), x = H(salt | H(poolName | userId | ":" | password)),
 * numbers hashed as "padded hex" (two's complement, even length), and a
 * 16-byte key from HKDF-SHA256 with the info "Caldera Derived Key" that signs
 * poolName | userId | secretBlock | timestamp.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// RFC 3526, section 4: the 3072-bit MODP group.
const N = BigInt(
  '0x' +
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
    '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
    'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
    '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
    'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
    'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
);
const g = 2n;

/** A non-negative number as Cognito hashes it: even-length hex, with "00" in front when the top bit is set. */
export function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return /^[89a-f]/i.test(hex) ? `00${hex}` : hex;
}

const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const hexHash = (hex: string) => sha256Hex(Buffer.from(hex, 'hex'));
const toBigInt = (hex: string) => BigInt(`0x${hex}`);

const k = toBigInt(hexHash(padHex(N) + padHex(g)));

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

function privateValue(userId: string, password: string, poolName: string, saltHex: string): bigint {
  const inner = sha256Hex(`${poolName}${userId}:${password}`);
  return toBigInt(hexHash(padHex(toBigInt(saltHex)) + inner));
}

/** What the pool keeps instead of a password, made at sign-up (and on every password change). */
export function createVerifier(
  userId: string,
  password: string,
  poolName: string,
): { salt: string; verifier: string } {
  const salt = randomBytes(16).toString('hex');
  return { salt, verifier: modPow(g, privateValue(userId, password, poolName, salt), N).toString(16) };
}

export interface ServerSession {
  /** The server's secret exponent, kept until the client answers. */
  b: string;
  /** The public value sent as SRP_B. */
  B: string;
}

/** The server's half: B = k·v + g^b. Refuses an A that is 0 mod N (which would make the key predictable). */
export function startServerSession(verifierHex: string, clientA: string): ServerSession {
  const A = toBigInt(clientA);
  if (A % N === 0n) throw new Error('SRP_A is invalid');
  const v = toBigInt(verifierHex);
  const b = toBigInt(randomBytes(32).toString('hex'));
  const B = (k * v + modPow(g, b, N)) % N;
  return { b: b.toString(16), B: B.toString(16) };
}

/** The 16-byte key both sides derive from the shared secret S. */
export function serverKey(session: ServerSession, verifierHex: string, clientA: string): Buffer {
  const A = toBigInt(clientA);
  const B = toBigInt(session.B);
  const u = toBigInt(hexHash(padHex(A) + padHex(B)));
  if (u === 0n) throw new Error('SRP u is zero');
  const v = toBigInt(verifierHex);
  const S = modPow((A * modPow(v, u, N)) % N, toBigInt(session.b), N);
  const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex'))
    .update(Buffer.from(padHex(S), 'hex'))
    .digest();
  return createHmac('sha256', prk)
    .update(Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
}

/** Checks PASSWORD_CLAIM_SIGNATURE: HMAC(key, poolName | userId | secretBlock | timestamp). */
export function verifyPasswordClaim(options: {
  key: Buffer;
  poolName: string;
  userId: string;
  secretBlock: string;
  timestamp: string;
  signature: string;
}): boolean {
  const expected = createHmac('sha256', options.key)
    .update(
      Buffer.concat([
        Buffer.from(options.poolName, 'utf8'),
        Buffer.from(options.userId, 'utf8'),
        Buffer.from(options.secretBlock, 'base64'),
        Buffer.from(options.timestamp, 'utf8'),
      ]),
    )
    .digest();
  const given = Buffer.from(options.signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Parses Cognito's TIMESTAMP ("Tue Nov 24 9:05:07 UTC 2026"); undefined when it is not one. */
export function parseSrpTimestamp(text: string): number | undefined {
  const match = /^(\w{3}) (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})$/.exec(text);
  if (!match || !days.includes(match[1] as string)) return undefined;
  const month = months.indexOf(match[2] as string);
  if (month < 0) return undefined;
  return Date.UTC(
    Number(match[7]),
    month,
    Number(match[3]),
    Number(match[4]),
    Number(match[5]),
    Number(match[6]),
  );
}
