/**
 * Structured JSON logs (pino). Secrets never reach a log line: the fields
 * that may carry them are redacted wherever they appear, and so are the query
 * parameters of logged URLs that carry credentials (OAuth codes, URL
 * signatures, AppSync's base64 `header` with its token).
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** What code that only writes lines needs of a logger (Fastify's request loggers are one). */
export type Log = Pick<Logger, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'>;

export const redactedPaths = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
];

/** Query parameters whose values are credentials (compared in lower case). */
const secretParameters = new Set([
  'code',
  'state',
  'token',
  'access_token',
  'id_token',
  'refresh_token',
  'password',
  'header',
  'signature',
  'policy',
  'key-pair-id',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
]);

/** A URL as logged: the values of credential parameters replaced. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const parameters = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A malformed name is logged as sent.
      }
      return equals >= 0 && secretParameters.has(decoded.toLowerCase()) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, query)}?${parameters.join('&')}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

export function createLogger(
  options: { level: string; name?: string },
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      name: options.name ?? 'plaza',
      level: options.level,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      serializers: {
        // Fastify's request serializer, with credentials taken out of the URL.
        req: (request: LoggedRequest) => ({
          method: request.method,
          url: request.url === undefined ? undefined : redactUrl(request.url),
          host: request.host,
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort,
        }),
      },
    },
    destination,
  );
}

/**
 * A child of `logger` with `bindings`, made the first time a line is written: most requests
 * write none, and a pino child costs a serialization of its bindings. (A class, so that making
 * one per request makes no closures.)
 */
export class LazyChild implements Log {
  #child: Logger | undefined;
  readonly #logger: Logger;
  readonly #bindings: Record<string, unknown>;
  constructor(logger: Logger, bindings: Record<string, unknown>) {
    this.#logger = logger;
    this.#bindings = bindings;
  }
  get #log(): Logger {
    return (this.#child ??= this.#logger.child(this.#bindings));
  }
  trace(...args: unknown[]): void {
    Reflect.apply(this.#log.trace, this.#log, args);
  }
  debug(...args: unknown[]): void {
    Reflect.apply(this.#log.debug, this.#log, args);
  }
  info(...args: unknown[]): void {
    Reflect.apply(this.#log.info, this.#log, args);
  }
  warn(...args: unknown[]): void {
    Reflect.apply(this.#log.warn, this.#log, args);
  }
  error(...args: unknown[]): void {
    Reflect.apply(this.#log.error, this.#log, args);
  }
  fatal(...args: unknown[]): void {
    Reflect.apply(this.#log.fatal, this.#log, args);
  }
}
