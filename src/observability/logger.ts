import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths that may carry secrets anywhere in a log line: they are replaced, never written. Services also keep
 * secrets out of what they log; this is the second line of defence.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'sipPassword',
  '*.sipPassword',
  'clientSecret',
  '*.clientSecret',
  'microsoftClientSecret',
  '*.microsoftClientSecret',
  'phoneAppClientSecret',
  '*.phoneAppClientSecret',
  'entraClientSecret',
  '*.entraClientSecret',
  'smtpUrl',
  '*.smtpUrl',
  'secretKey',
  '*.secretKey',
  'hepAuthKey',
  '*.hepAuthKey',
  'token',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
];

export interface LoggerOptions {
  level: string;
  format: 'json' | 'pretty' | 'auto';
  /** Whether stdout is a terminal (for `auto`). */
  isTerminal: boolean;
}

/**
 * The process logger: JSON lines by default, pretty on a terminal.
 *
 * @example const log = createLogger({ level: 'info', format: 'auto', isTerminal: process.stdout.isTTY });
 */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && options.isTerminal);
  return pino({
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(pretty && {
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' },
      },
    }),
  });
}
