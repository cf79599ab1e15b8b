import type { CiEvent, EventInput } from '../event/types.js';
import type { Logger } from '../logger.js';

/** Everything that differs between GitHub, GitLab and a plain CLI run. */
export interface Platform {
  name: 'github' | 'gitlab' | 'local';
  /** Raw inputs by snake_case name, as strings ('' = not given). */
  readInputs(): Record<string, string>;
  /** Tell the CI to hide a value in its log (GitHub ::add-mask::); the redactor is separate. */
  mask(secret: string): void;
  /** Build the CiEvent from the CI environment. `status` is the normalised status from settings. */
  buildEvent(input: EventInput): Promise<CiEvent>;
  setOutput(name: string, value: string): void;
  /** Markdown for the job summary (GitHub step summary); absent where there is none, so none is built. */
  writeSummary?(markdown: string): void;
  /** Mark the run failed with a message (exit code is decided by main). */
  log: Logger;
}
