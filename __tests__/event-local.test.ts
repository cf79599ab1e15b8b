import { localEvent } from '../src/event/local.js';
import { emptyEvent } from './support/fixtures.js';
import type { CiEvent } from '../src/event/types.js';
import type { EventInput } from '../src/event/types.js';
import { schemaErrors } from './support/event-schema.js';

const NOW = new Date('2026-12-01T10:00:00Z');
const SHA = '2bfb63d779e3648c91950f82d374a25784cdabaf';

function eventInput(overrides: Partial<EventInput> = {}): EventInput {
  return {
    status: 'failure',
    params: {},
    needs: '',
    github_token: '',
    http: null,
    id: '0d6c3b1a-4f5e-4a7b-8c9d-0e1f2a3b4c5d',
    now: NOW,
    ...overrides,
  };
}

function mapped(input: EventInput, env: NodeJS.ProcessEnv, inputs: Record<string, string> = {}): CiEvent {
  const event = localEvent(input, env, inputs);
  expect(schemaErrors(event)).toEqual([]);
  return event;
}

/** Every field null: what a bare shell without CI variables gives. */
const bareShellEvent = (): CiEvent => emptyEvent({ status: 'failure' });

describe('localEvent in a plain shell', () => {
  it('fills only id, timestamp, status and params, and leaves everything else null', () => {
    expect(mapped(eventInput({ params: { env: 'prod' } }), { CI: 'true', HOME: '/root' })).toEqual({
      ...bareShellEvent(),
      params: { env: 'prod' },
    });
  });

  it('normalises the status (Flow FAIL → failure, empty → unknown)', () => {
    expect(mapped(eventInput({ status: 'FAIL' }), {}).status).toBe('failure');
    expect(mapped(eventInput({ status: '' }), {}).status).toBe('unknown');
  });

  it('takes repository, ref, sha, commit message and pipeline from inputs when a shell has no CI variables', () => {
    const event = mapped(
      eventInput(),
      {},
      {
        repository: 'acme/platform/api',
        ref: 'main',
        sha: SHA,
        commit_message: 'Ship it\n\nFinally.',
        pipeline_name: 'nightly',
        pipeline_number: '42',
        pipeline_url: 'https://ci.example.com/nightly/42',
      },
    );
    expect(event).toEqual({
      ...bareShellEvent(),
      pipeline: { ...bareShellEvent().pipeline, name: 'nightly', number: 42, url: 'https://ci.example.com/nightly/42' },
      repository: { name: 'api', full_name: 'acme/platform/api', namespace: 'acme/platform', url: null },
      ref: { name: 'main', type: null, url: null },
      commit: {
        sha: SHA,
        short_sha: '2bfb63d',
        title: 'Ship it',
        message: 'Ship it\n\nFinally.',
        url: null,
        before_sha: null,
        author: null,
      },
    });
  });
});

describe('localEvent in Jenkins', () => {
  const jenkins: NodeJS.ProcessEnv = {
    JENKINS_URL: 'https://jenkins.example.com/',
    JOB_NAME: 'api/main',
    BUILD_NUMBER: '57',
    BUILD_ID: '57',
    BUILD_URL: 'https://jenkins.example.com/job/api/job/main/57/',
    GIT_URL: 'https://ci-bot:s3cr3t-t0ken@github.com/acme/api.git',
    GIT_COMMIT: SHA,
    GIT_PREVIOUS_COMMIT: '1111111111111111111111111111111111111111',
    GIT_BRANCH: 'origin/main',
    STAGE_NAME: 'Notify',
    BUILD_USER: 'Ann Admin',
    BUILD_USER_ID: 'ann',
    BUILD_USER_EMAIL: 'ann@example.com',
  };

  it('reads the job, build, git and build-user variables and drops credentials from GIT_URL', () => {
    const event = mapped(eventInput({ status: 'UNSTABLE' }), jenkins);
    expect(event).toEqual({
      ...bareShellEvent(),
      status: 'failure',
      pipeline: {
        ...bareShellEvent().pipeline,
        id: '57',
        number: 57,
        name: 'api/main',
        url: 'https://jenkins.example.com/job/api/job/main/57/',
      },
      job: { id: null, name: 'Notify', stage: 'Notify', url: null },
      repository: { name: 'api', full_name: 'acme/api', namespace: 'acme', url: 'https://github.com/acme/api' },
      ref: { name: 'main', type: 'branch', url: null },
      commit: {
        sha: SHA,
        short_sha: '2bfb63d',
        title: null,
        message: null,
        url: `https://github.com/acme/api/commit/${SHA}`,
        before_sha: '1111111111111111111111111111111111111111',
        author: null,
      },
      actor: { login: 'ann', name: 'Ann Admin', email: 'ann@example.com' },
      server_url: 'https://jenkins.example.com',
    });
    expect(JSON.stringify(event)).not.toContain('s3cr3t-t0ken');
  });

  it('maps a multibranch pull request build (CHANGE_*) and an SSH remote without a web URL', () => {
    const event = mapped(eventInput(), {
      ...jenkins,
      GIT_URL: 'git@git.example.com:acme/api.git',
      BRANCH_NAME: 'PR-12',
      CHANGE_ID: '12',
      CHANGE_URL: 'https://git.example.com/acme/api/pull/12',
      CHANGE_TITLE: 'Add retries',
      CHANGE_BRANCH: 'feature/retries',
      CHANGE_TARGET: 'main',
      CHANGE_AUTHOR: 'bob',
      CHANGE_AUTHOR_DISPLAY_NAME: 'Bob Builder',
      CHANGE_AUTHOR_EMAIL: 'bob@example.com',
      GIT_PREVIOUS_COMMIT: SHA,
    });
    expect(event.repository).toEqual({ name: 'api', full_name: 'acme/api', namespace: 'acme', url: null });
    expect(event.ref).toEqual({
      name: 'feature/retries',
      type: 'pull_request',
      url: 'https://git.example.com/acme/api/pull/12',
    });
    expect(event.change_request).toEqual({
      number: 12,
      title: 'Add retries',
      url: 'https://git.example.com/acme/api/pull/12',
      source_branch: 'feature/retries',
      target_branch: 'main',
    });
    expect(event.commit).toEqual({
      // No web URL known for the repository, and the previous build's commit is this one.
      sha: SHA,
      short_sha: '2bfb63d',
      title: null,
      message: null,
      url: null,
      before_sha: null,
      author: { name: 'Bob Builder', email: 'bob@example.com', login: 'bob' },
    });
  });

  it('maps a tag build', () => {
    expect(mapped(eventInput(), { ...jenkins, TAG_NAME: 'v1.2.0' }).ref).toEqual({
      name: 'v1.2.0',
      type: 'tag',
      url: null,
    });
  });
});

describe('localEvent in Drone', () => {
  const drone: NodeJS.ProcessEnv = {
    CI: 'true',
    DRONE: 'true',
    DRONE_SYSTEM_PROTO: 'https',
    DRONE_SYSTEM_HOST: 'drone.example.com',
    DRONE_REPO: 'octocat/hello-world',
    DRONE_REPO_NAME: 'hello-world',
    DRONE_REPO_NAMESPACE: 'octocat',
    DRONE_REPO_LINK: 'https://github.com/octocat/hello-world',
    DRONE_BUILD_NUMBER: '22',
    DRONE_BUILD_LINK: 'https://drone.example.com/octocat/hello-world/22',
    DRONE_BUILD_EVENT: 'push',
    DRONE_BUILD_STATUS: 'failure',
    DRONE_BUILD_STARTED: String(Date.parse('2026-12-01T09:58:00Z') / 1000),
    DRONE_BUILD_FINISHED: String(NOW.getTime() / 1000),
    DRONE_BUILD_TRIGGER: '@hook',
    DRONE_BRANCH: 'main',
    DRONE_COMMIT_SHA: SHA,
    DRONE_COMMIT_BEFORE: '0000000000000000000000000000000000000000',
    DRONE_COMMIT_LINK: `https://github.com/octocat/hello-world/commit/${SHA}`,
    DRONE_COMMIT_MESSAGE: 'Update README.md\n\nMore words.',
    DRONE_COMMIT_AUTHOR: 'octocat',
    DRONE_COMMIT_AUTHOR_NAME: 'The Octocat',
    DRONE_COMMIT_AUTHOR_EMAIL: 'octocat@github.com',
    DRONE_STAGE_NAME: 'default',
    DRONE_STEP_NAME: 'notify',
    DRONE_FAILED_STEPS: 'test,lint',
  };

  it('reads the build, commit and failed steps, taking the status from Drone when none is given', () => {
    expect(mapped(eventInput({ status: '' }), drone)).toEqual({
      ...bareShellEvent(),
      status: 'failure',
      pipeline: {
        id: '22',
        number: 22,
        attempt: null,
        name: null,
        url: 'https://drone.example.com/octocat/hello-world/22',
        trigger: 'push',
        started_at: '2026-12-01T09:58:00.000Z',
        finished_at: null,
        duration_ms: 120_000,
      },
      job: { id: null, name: 'notify', stage: 'default', url: null },
      jobs: [
        {
          name: 'test',
          status: 'failure',
          url: null,
          duration_ms: null,
          stage: null,
          allow_failure: false,
          failed_step: null,
        },
        {
          name: 'lint',
          status: 'failure',
          url: null,
          duration_ms: null,
          stage: null,
          allow_failure: false,
          failed_step: null,
        },
      ],
      repository: {
        name: 'hello-world',
        full_name: 'octocat/hello-world',
        namespace: 'octocat',
        url: 'https://github.com/octocat/hello-world',
      },
      ref: { name: 'main', type: 'branch', url: null },
      commit: {
        sha: SHA,
        short_sha: '2bfb63d',
        title: 'Update README.md',
        message: 'Update README.md\n\nMore words.',
        url: `https://github.com/octocat/hello-world/commit/${SHA}`,
        before_sha: null,
        author: { name: 'The Octocat', email: 'octocat@github.com', login: 'octocat' },
      },
      // "@hook" is the webhook, not a person.
      actor: null,
      server_url: 'https://drone.example.com',
    });
  });

  it('prefers the status input over DRONE_BUILD_STATUS, and maps pull requests and a user trigger', () => {
    const event = mapped(eventInput({ status: 'success' }), {
      ...drone,
      DRONE_BUILD_EVENT: 'pull_request',
      DRONE_PULL_REQUEST: '42',
      DRONE_PULL_REQUEST_TITLE: 'Fix typo',
      DRONE_SOURCE_BRANCH: 'typo',
      DRONE_TARGET_BRANCH: 'main',
      DRONE_BUILD_TRIGGER: 'octocat',
      DRONE_COMMIT_LINK: 'https://github.com/octocat/hello-world/pull/42',
    });
    expect(event.status).toBe('success');
    expect(event.ref).toEqual({ name: 'typo', type: 'pull_request', url: null });
    expect(event.change_request).toEqual({
      number: 42,
      title: 'Fix typo',
      url: null,
      source_branch: 'typo',
      target_branch: 'main',
    });
    // DRONE_COMMIT_LINK of a pull request build links the pull request; GitHub serves the commit at the base repository.
    expect(event.commit.url).toBe(`https://github.com/octocat/hello-world/commit/${SHA}`);
    expect(event.actor).toEqual({ login: 'octocat', name: null, email: null });
  });
});

describe('localEvent in Alibaba Cloud Flow', () => {
  it('reads the pipeline and code-source variables', () => {
    const event = mapped(eventInput({ status: 'FAIL' }), {
      PIPELINE_ID: '3001234',
      PIPELINE_NAME: '前端项目发布',
      BUILD_NUMBER: '17',
      BUILD_EXECUTOR: '张三',
      CI_SOURCE_NAME: 'web-frontend',
      CI_COMMIT_REF_NAME: 'master',
      CI_COMMIT_TITLE: '修复登录页样式',
      CI_COMMIT_SHA: SHA,
      CI_COMMIT_ID: '2bfb63d7',
    });
    expect(event).toEqual({
      ...bareShellEvent(),
      status: 'failure',
      pipeline: { ...bareShellEvent().pipeline, id: '3001234', number: 17, name: '前端项目发布' },
      repository: { name: 'web-frontend', full_name: null, namespace: null, url: null },
      ref: { name: 'master', type: null, url: null },
      commit: {
        sha: SHA,
        short_sha: '2bfb63d',
        title: '修复登录页样式',
        message: '修复登录页样式',
        url: null,
        before_sha: null,
        author: null,
      },
      actor: { login: null, name: '张三', email: null },
    });
  });
});
