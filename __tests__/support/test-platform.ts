/**
 * A Platform for in-process runs of run(): inputs given as a plain object, every log line, mask,
 * output and summary recorded, and the event built from a fixture with the run's status and id.
 * Sinks can be made to fail, as a missing directory or an unwritable GITHUB_OUTPUT would.
 */
import type { CiEvent, EventInput } from '../../src/event/types.js';
import type { Platform } from '../../src/platform/types.js';
import { sampleEvent } from './fixtures.js';
import { recordingLogger, type RecordingLogger } from './recording-logger.js';

export interface TestPlatform extends Platform {
  log: RecordingLogger;
  outputs: Record<string, string>;
  summaries: string[];
  masked: string[];
  /** The EventInput run() passed to buildEvent. */
  eventInputs: EventInput[];
}

export interface TestPlatformOptions {
  /** Fields of the built event besides status and id (a transition, a hostile commit). */
  event?: Partial<CiEvent>;
  /** Makes buildEvent wait for this (a slow CI API). */
  eventGate?: Promise<void>;
  /** setOutput / writeSummary throw this, like appendFileSync on a missing directory. */
  failingSinks?: NodeJS.ErrnoException;
}

export function testPlatform(options: TestPlatformOptions = {}): TestPlatform {
  const outputs: Record<string, string> = {};
  const summaries: string[] = [];
  const masked: string[] = [];
  const eventInputs: EventInput[] = [];
  return {
    name: 'local',
    log: recordingLogger(),
    outputs,
    summaries,
    masked,
    eventInputs,
    readInputs: () => ({}),
    mask: (secret) => void masked.push(secret),
    async buildEvent(input) {
      eventInputs.push(input);
      await options.eventGate;
      return sampleEvent({
        ...options.event,
        status: input.status as CiEvent['status'],
        id: input.id,
        params: input.params,
      });
    },
    setOutput(name, value) {
      if (options.failingSinks) throw options.failingSinks;
      outputs[name] = value;
    },
    writeSummary(markdown) {
      if (options.failingSinks) throw options.failingSinks;
      summaries.push(markdown);
    },
  };
}

/** What appendFileSync throws for a file in a directory that does not exist. */
export function missingDirectory(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), {
    code: 'ENOENT',
    path,
    syscall: 'open',
  });
}
