import { createRequire } from 'node:module';
import { emptyEvent } from './support/fixtures.js';
import type { ValidateFunction } from 'ajv';
import { gitlabEvent } from '../src/event/gitlab.js';
import { EVENT_JSON_SCHEMA } from '../src/event/schema.js';
import type { CiEvent } from '../src/event/types.js';
import type { EventInput } from '../src/event/types.js';

const require = createRequire(import.meta.url);
// ajv and ajv-formats are CommonJS; require() sidesteps default-export interop differences.
const Ajv2020 = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

let validator: ValidateFunction | null = null;
function schemaErrors(event: CiEvent): string[] {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    validator = ajv.compile(EVENT_JSON_SCHEMA as object);
  }
  if (validator(event)) return [];
  return (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

const NOW = new Date('2026-12-01T10:01:33Z');
const SHA = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';

function eventInput(status: string, params: Record<string, string> = {}): EventInput {
  return {
    status,
    params,
    needs: '',
    github_token: '',
    id: '7b0c2f4e-1d2a-4c3b-9e8f-0a1b2c3d4e5f',
    now: NOW,
    http: null,
  };
}

/** What a GitLab runner sets for a push to `main` of gitlab.example.com/acme/api (predefined variables). */
function branchEnv(): NodeJS.ProcessEnv {
  return {
    GITLAB_CI: 'true',
    CI: 'true',
    CI_SERVER_URL: 'https://gitlab.example.com',
    CI_PROJECT_NAME: 'api',
    CI_PROJECT_PATH: 'acme/api',
    CI_PROJECT_NAMESPACE: 'acme',
    CI_PROJECT_URL: 'https://gitlab.example.com/acme/api',
    CI_PIPELINE_ID: '987654',
    CI_PIPELINE_IID: '128',
    CI_PIPELINE_URL: 'https://gitlab.example.com/acme/api/-/pipelines/987654',
    CI_PIPELINE_SOURCE: 'push',
    CI_PIPELINE_CREATED_AT: '2026-12-01T10:00:00Z',
    CI_COMMIT_SHA: SHA,
    CI_COMMIT_SHORT_SHA: '9f8e7d6c',
    CI_COMMIT_TITLE: 'Fix payment path',
    CI_COMMIT_MESSAGE: 'Fix payment path\n\nThe amount was rounded twice.\n',
    CI_COMMIT_BEFORE_SHA: '1111111111111111111111111111111111111111',
    CI_COMMIT_AUTHOR: 'Mona Lisa <mona@example.com>',
    CI_COMMIT_BRANCH: 'main',
    CI_COMMIT_REF_NAME: 'main',
    CI_COMMIT_TIMESTAMP: '2026-12-01T09:58:00+00:00',
    CI_JOB_ID: '555001',
    CI_JOB_NAME: 'ci-notify-failure',
    CI_JOB_STAGE: '.post',
    CI_JOB_URL: 'https://gitlab.example.com/acme/api/-/jobs/555001',
    CI_JOB_STARTED_AT: '2026-12-01T10:01:30Z',
    CI_JOB_STATUS: 'running',
    GITLAB_USER_LOGIN: 'mona',
    GITLAB_USER_NAME: 'Mona Lisa',
    GITLAB_USER_EMAIL: 'mona@example.com',
  };
}

function branchEvent(): CiEvent {
  return {
    schema: 'ci-notify.event/v1',
    id: '7b0c2f4e-1d2a-4c3b-9e8f-0a1b2c3d4e5f',
    timestamp: '2026-12-01T10:01:33.000Z',
    provider: 'gitlab',
    status: 'failure',
    previous_status: null,
    transition: null,
    pipeline: {
      id: '987654',
      number: 128,
      attempt: null,
      name: null,
      url: 'https://gitlab.example.com/acme/api/-/pipelines/987654',
      trigger: 'push',
      started_at: '2026-12-01T10:00:00Z',
      finished_at: null,
      duration_ms: 93000,
    },
    job: {
      id: '555001',
      name: 'ci-notify-failure',
      stage: '.post',
      url: 'https://gitlab.example.com/acme/api/-/jobs/555001',
    },
    jobs: [],
    repository: { name: 'api', full_name: 'acme/api', namespace: 'acme', url: 'https://gitlab.example.com/acme/api' },
    ref: { name: 'main', type: 'branch', url: 'https://gitlab.example.com/acme/api/-/tree/main' },
    commit: {
      sha: SHA,
      short_sha: '9f8e7d6c',
      title: 'Fix payment path',
      message: 'Fix payment path\n\nThe amount was rounded twice.',
      url: `https://gitlab.example.com/acme/api/-/commit/${SHA}`,
      before_sha: '1111111111111111111111111111111111111111',
      author: { name: 'Mona Lisa', email: 'mona@example.com', login: 'mona' },
    },
    change_request: null,
    actor: { login: 'mona', name: 'Mona Lisa', email: 'mona@example.com' },
    people: [],
    params: {},
    server_url: 'https://gitlab.example.com',
  };
}

async function mapped(env: NodeJS.ProcessEnv, status = 'failure', params: Record<string, string> = {}) {
  const warnings: string[] = [];
  const event = await gitlabEvent(eventInput(status, params), env, { warn: (m) => warnings.push(m) });
  return { event, warnings };
}

describe('gitlabEvent', () => {
  it('maps a branch pipeline: project, pipeline URL and number (IID), commit title/message/author, ref and actor', async () => {
    const { event, warnings } = await mapped(branchEnv(), 'failure', { env: 'prod' });
    expect(event).toEqual({ ...branchEvent(), params: { env: 'prod' } });
    expect(schemaErrors(event)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('maps a tag pipeline: ref type tag with the tags page, no branch, before_sha of zeros dropped', async () => {
    const env = branchEnv();
    delete env.CI_COMMIT_BRANCH;
    Object.assign(env, {
      CI_COMMIT_TAG: 'v1.4.0',
      CI_COMMIT_REF_NAME: 'v1.4.0',
      CI_COMMIT_BEFORE_SHA: '0000000000000000000000000000000000000000',
      CI_PIPELINE_NAME: 'Release v1.4.0',
      CI_PIPELINE_SOURCE: 'push',
      CI_COMMIT_AUTHOR: 'Hubot Release <release-bot@example.com>',
    });
    const { event } = await mapped(env, 'success');
    expect(event).toEqual({
      ...branchEvent(),
      status: 'success',
      pipeline: { ...branchEvent().pipeline, name: 'Release v1.4.0' },
      ref: { name: 'v1.4.0', type: 'tag', url: 'https://gitlab.example.com/acme/api/-/tags/v1.4.0' },
      commit: {
        ...branchEvent().commit,
        before_sha: null,
        // The pipeline user (mona) is not the author: the author's login stays unknown.
        author: { name: 'Hubot Release', email: 'release-bot@example.com', login: null },
      },
    });
    expect(schemaErrors(event)).toEqual([]);
  });

  it('maps a merge request pipeline: ref type merge_request with the MR link, change_request filled', async () => {
    const env = branchEnv();
    delete env.CI_COMMIT_BRANCH;
    Object.assign(env, {
      CI_PIPELINE_SOURCE: 'merge_request_event',
      CI_COMMIT_REF_NAME: 'feature/login',
      CI_COMMIT_BEFORE_SHA: '0000000000000000000000000000000000000000',
      CI_MERGE_REQUEST_IID: '12',
      CI_MERGE_REQUEST_TITLE: 'Draft: Log in with SSO',
      CI_MERGE_REQUEST_PROJECT_URL: 'https://gitlab.example.com/acme/api',
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feature/login',
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
      CI_MERGE_REQUEST_SOURCE_PROJECT_URL: 'https://gitlab.example.com/mona/api',
    });
    const { event } = await mapped(env, 'failed');
    expect(event).toEqual({
      ...branchEvent(),
      pipeline: { ...branchEvent().pipeline, trigger: 'merge_request_event' },
      ref: {
        name: 'feature/login',
        type: 'merge_request',
        url: 'https://gitlab.example.com/acme/api/-/merge_requests/12',
      },
      commit: { ...branchEvent().commit, before_sha: null },
      change_request: {
        number: 12,
        title: 'Draft: Log in with SSO',
        url: 'https://gitlab.example.com/acme/api/-/merge_requests/12',
        source_branch: 'feature/login',
        target_branch: 'main',
      },
    });
    expect(schemaErrors(event)).toEqual([]);
  });

  it('maps a pipeline for an external (GitHub) pull request as ref type pull_request without inventing its URL', async () => {
    const env = branchEnv();
    delete env.CI_COMMIT_BRANCH;
    Object.assign(env, {
      CI_PIPELINE_SOURCE: 'external_pull_request_event',
      CI_EXTERNAL_PULL_REQUEST_IID: '7',
      CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME: 'fix/typo',
      CI_EXTERNAL_PULL_REQUEST_TARGET_BRANCH_NAME: 'main',
    });
    const { event } = await mapped(env);
    expect(event.ref).toEqual({ name: 'fix/typo', type: 'pull_request', url: null });
    expect(event.change_request).toEqual({
      number: 7,
      title: null,
      url: null,
      source_branch: 'fix/typo',
      target_branch: 'main',
    });
    expect(schemaErrors(event)).toEqual([]);
  });

  it('keeps the slashes of a branch name in the tree URL and encodes the rest', async () => {
    const env = { ...branchEnv(), CI_COMMIT_BRANCH: 'feature/a b#1', CI_COMMIT_REF_NAME: 'feature/a b#1' };
    expect((await mapped(env)).event.ref).toEqual({
      name: 'feature/a b#1',
      type: 'branch',
      url: 'https://gitlab.example.com/acme/api/-/tree/feature/a%20b%231',
    });
  });

  it('reads CI_JOB_STATUS in GitLab spelling when no status is given (after_script)', async () => {
    const cases: Array<[string, string]> = [
      ['success', 'success'],
      ['failed', 'failure'],
      ['canceled', 'cancelled'],
      ['running', 'running'],
    ];
    for (const [jobStatus, expected] of cases) {
      expect((await mapped({ ...branchEnv(), CI_JOB_STATUS: jobStatus }, '')).event.status).toBe(expected);
    }
  });

  it('prefers the given status over CI_JOB_STATUS', async () => {
    expect((await mapped({ ...branchEnv(), CI_JOB_STATUS: 'running' }, 'success')).event.status).toBe('success');
  });

  it('reports an unknown status as unknown with one warning, never a crash', async () => {
    const { event, warnings } = await mapped({ ...branchEnv(), CI_JOB_STATUS: 'exploded' }, '');
    expect(event.status).toBe('unknown');
    expect(warnings).toEqual([expect.stringContaining('"exploded" is not a status we know')]);
    expect(schemaErrors(event)).toEqual([]);
  });

  it('parses CI_COMMIT_AUTHOR without an e-mail as a bare name', async () => {
    expect((await mapped({ ...branchEnv(), CI_COMMIT_AUTHOR: 'Mona Lisa' })).event.commit.author).toEqual({
      name: 'Mona Lisa',
      email: null,
      login: null,
    });
  });

  it('matches the pipeline user to the commit author by e-mail case-insensitively', async () => {
    const env = { ...branchEnv(), CI_COMMIT_AUTHOR: 'Mona Lisa <Mona@Example.com>' };
    expect((await mapped(env)).event.commit.author).toEqual({
      name: 'Mona Lisa',
      email: 'Mona@Example.com',
      login: 'mona',
    });
  });

  it('leaves everything unknown null outside a pipeline, and the result is still a valid event', async () => {
    const { event } = await mapped({}, 'success');
    expect(event).toEqual(
      emptyEvent({
        id: '7b0c2f4e-1d2a-4c3b-9e8f-0a1b2c3d4e5f',
        timestamp: '2026-12-01T10:01:33.000Z',
        provider: 'gitlab',
        status: 'success',
      }),
    );
    expect(schemaErrors(event)).toEqual([]);
  });

  it('ignores a pipeline creation time that is not ISO 8601 instead of reporting a wrong duration', async () => {
    const { event } = await mapped({ ...branchEnv(), CI_PIPELINE_CREATED_AT: 'yesterday' });
    expect(event.pipeline.started_at).toBeNull();
    expect(event.pipeline.duration_ms).toBeNull();
    expect(schemaErrors(event)).toEqual([]);
  });

  it('takes the short sha from the full one when CI_COMMIT_SHORT_SHA is missing (GitLab uses 8 characters)', async () => {
    const env = branchEnv();
    delete env.CI_COMMIT_SHORT_SHA;
    expect((await mapped(env)).event.commit.short_sha).toBe('9f8e7d6c');
  });
});
