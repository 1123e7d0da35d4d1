/**
 * Structured JSON logs (pino). Secrets never reach a log line: the fields
 * that may carry them are redacted wherever they appear.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

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

export function createLogger(options: { level: string; name?: string }): Logger {
  return pino({
    name: options.name ?? 'plaza',
    level: options.level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
  });
}
