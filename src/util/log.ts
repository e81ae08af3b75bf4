/**
 * Structured logs: one JSON object a line, so a value can never forge a second line. No request bodies and no
 * declarant data are ever passed here; the pre-draw secret must never reach a log.
 */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function jsonLogger(write: (line: string) => void, clock: () => Date = () => new Date()): Logger {
  const emit = (level: string, msg: string, fields?: Record<string, unknown>): void => {
    let line: string;
    try {
      line = JSON.stringify({ t: clock().toISOString(), level, msg, ...fields });
    } catch {
      line = JSON.stringify({ t: clock().toISOString(), level, msg, note: 'fields not serialisable' });
    }
    write(line + '\n');
  };
  return {
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
