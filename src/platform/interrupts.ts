/**
 * SIGTERM (a cancelled job) and SIGINT (Ctrl-C) for the whole run: whoever listens at the moment
 * (the `-`/`@path` read, then run()) is told and reports what it knows. A signal that comes while
 * nobody listens — between two phases, or while a synchronous step holds the process and the
 * listener of the step before has gone — is kept for the next listener instead of being lost; if
 * nobody takes it within `untakenMs` (a phase that hangs), `untaken` ends the process.
 */
export type InterruptSignal = 'SIGINT' | 'SIGTERM';

export interface SignalSource {
  on(event: InterruptSignal, handler: (signal: NodeJS.Signals) => void): unknown;
}

export interface SignalRelay {
  subscribe(stop: (signal: InterruptSignal) => void): () => void;
}

export function signalRelay(
  source: SignalSource,
  untaken: (signal: InterruptSignal) => void,
  untakenMs: number,
): SignalRelay {
  const listeners = new Set<(signal: InterruptSignal) => void>();
  let pending: { signal: InterruptSignal; timer: NodeJS.Timeout } | null = null;
  const handler = (name: NodeJS.Signals) => {
    const signal = name as InterruptSignal;
    if (listeners.size) for (const listener of [...listeners]) listener(signal);
    else if (!pending) {
      const timer = setTimeout(() => untaken(signal), untakenMs);
      timer.unref();
      pending = { signal, timer };
    }
  };
  source.on('SIGTERM', handler);
  source.on('SIGINT', handler);
  return {
    subscribe(stop) {
      listeners.add(stop);
      if (pending) {
        clearTimeout(pending.timer);
        const { signal } = pending;
        pending = null;
        stop(signal);
      }
      return () => void listeners.delete(stop);
    },
  };
}
