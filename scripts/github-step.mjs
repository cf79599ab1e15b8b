/**
 * A GitHub Actions step as the runner sets it up, for the scripts that run the bundle as one
 * (scripts/bench.mjs, scripts/eager-hints.mjs): a push event file, the runner's variables, output
 * files and the step's INPUT_* inputs.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SHA = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';

/** The environment of a step in `dir` (the event and output files go there), reading the API at `apiUrl`. */
export function githubStepEnv(dir, apiUrl, inputs) {
  const eventPath = join(dir, 'event.json');
  if (!existsSync(eventPath)) {
    writeFileSync(
      eventPath,
      JSON.stringify({
        ref: 'refs/heads/main',
        after: SHA,
        repository: { full_name: 'acme/api' },
        head_commit: {
          id: SHA,
          message: 'Fix payment path',
          author: { name: 'Mona Lisa', email: 'mona@example.com', username: 'monalisa' },
        },
      }),
    );
  }
  const env = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: apiUrl,
    GITHUB_REPOSITORY: 'acme/api',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_NUMBER: '128',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_WORKFLOW_REF: 'acme/api/.github/workflows/ci.yml@refs/heads/main',
    GITHUB_JOB: 'notify',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: SHA,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_ACTOR: 'monalisa',
    GITHUB_OUTPUT: join(dir, 'output.txt'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    RUNNER_NAME: 'r9',
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return env;
}
