/** A Logger that keeps every line, so tests can assert what was (and was not) printed. */
import type { Logger } from '../../src/logger.js';

export interface RecordingLogger extends Logger {
  lines: { level: 'info' | 'warn' | 'error' | 'debug'; message: string }[];
  /** Every line joined, for "never contains the secret" checks. */
  text(): string;
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  return {
    lines,
    info: (message) => void lines.push({ level: 'info', message }),
    warn: (message) => void lines.push({ level: 'warn', message }),
    error: (message) => void lines.push({ level: 'error', message }),
    debug: (message) => void lines.push({ level: 'debug', message }),
    group: async (title, body) => {
      lines.push({ level: 'info', message: title });
      return body();
    },
    text: () => lines.map((line) => line.message).join('\n'),
  };
}
