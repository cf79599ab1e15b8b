/**
 * The signal relay of a run (src/platform/interrupts.ts), driven by a real EventEmitter standing in
 * for `process`: a signal reaches whoever listens, is kept for the next listener when nobody does,
 * and ends the process through `untaken` when nobody takes it in time.
 */
import { EventEmitter } from 'node:events';
import { signalRelay, type InterruptSignal } from '../src/platform/interrupts.js';

function relay(untakenMs = 10_000) {
  const source = new EventEmitter();
  const untaken: InterruptSignal[] = [];
  const signals = signalRelay(source, (signal) => untaken.push(signal), untakenMs);
  return { source, untaken, signals };
}

describe('signalRelay', () => {
  it('tells every listener of the moment, and no one who has stopped listening', () => {
    const { source, signals, untaken } = relay();
    const heard: string[] = [];
    const stopA = signals.subscribe((s) => heard.push(`a ${s}`));
    signals.subscribe((s) => heard.push(`b ${s}`));
    source.emit('SIGTERM', 'SIGTERM');
    stopA();
    source.emit('SIGINT', 'SIGINT');
    expect([heard, untaken]).toEqual([['a SIGTERM', 'b SIGTERM', 'b SIGINT'], []]);
  });

  it('keeps a signal that came while nobody listened for the next listener, at once and once', () => {
    const { source, signals, untaken } = relay();
    const reading = signals.subscribe(() => undefined);
    reading(); // the read is over; run() does not listen yet
    source.emit('SIGTERM', 'SIGTERM');
    source.emit('SIGINT', 'SIGINT'); // a second signal while one is kept changes nothing
    const heard: string[] = [];
    signals.subscribe((s) => heard.push(`run ${s}`));
    signals.subscribe((s) => heard.push(`later ${s}`));
    expect([heard, untaken]).toEqual([['run SIGTERM'], []]);
  });

  it('ends the process through untaken when nobody takes the signal in time', async () => {
    const { source, untaken } = relay(30);
    source.emit('SIGINT', 'SIGINT');
    expect(untaken).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(untaken).toEqual(['SIGINT']);
  });

  it('does not end the process once a listener took the kept signal', async () => {
    const { source, signals, untaken } = relay(30);
    source.emit('SIGTERM', 'SIGTERM');
    const heard: string[] = [];
    signals.subscribe((s) => heard.push(s));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect([heard, untaken]).toEqual([['SIGTERM'], []]);
  });
});
