/**
 * A complete CiEvent for tests: a failed push to main of acme/api, CI #128, every field filled.
 * Other helpers import this; override any top-level field with `sampleEvent({ status: 'success' })`.
 */
import type { CiEvent } from '../../src/event/types.js';

export function sampleEvent(overrides: Partial<CiEvent> = {}): CiEvent {
  const base: CiEvent = {
    schema: 'ci-notify.event/v1',
    id: '7b0c2f4e-1d3a-4c5b-9e8f-0a1b2c3d4e5f',
    timestamp: '2026-12-01T10:00:00.000Z',
    provider: 'github',
    status: 'failure',
    previous_status: 'success',
    transition: 'regressed',
    pipeline: {
      id: '4242',
      number: 128,
      attempt: 1,
      name: 'CI',
      url: 'https://github.com/acme/api/actions/runs/4242',
      trigger: 'push',
      started_at: '2026-12-01T09:58:27.000Z',
      finished_at: '2026-12-01T10:00:00.000Z',
      duration_ms: 93000,
    },
    job: {
      id: '90001',
      name: 'test',
      stage: 'test',
      url: 'https://github.com/acme/api/actions/runs/4242/job/90001',
    },
    jobs: [
      {
        name: 'build',
        status: 'success',
        url: 'https://github.com/acme/api/actions/runs/4242/job/90000',
        duration_ms: 31000,
        stage: null,
        allow_failure: false,
        failed_step: null,
      },
      {
        name: 'test',
        status: 'failure',
        url: 'https://github.com/acme/api/actions/runs/4242/job/90001',
        duration_ms: 52000,
        stage: null,
        allow_failure: false,
        failed_step: null,
      },
      {
        name: 'lint',
        status: 'failure',
        url: 'https://github.com/acme/api/actions/runs/4242/job/90002',
        duration_ms: 1200,
        stage: null,
        allow_failure: false,
        failed_step: null,
      },
    ],
    repository: {
      name: 'api',
      full_name: 'acme/api',
      namespace: 'acme',
      url: 'https://github.com/acme/api',
    },
    ref: {
      name: 'main',
      type: 'branch',
      url: 'https://github.com/acme/api/tree/main',
    },
    commit: {
      sha: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
      short_sha: '9f8e7d6',
      title: 'Fix payment path',
      message: 'Fix payment path\n\nThe checkout called the old endpoint.',
      url: 'https://github.com/acme/api/commit/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
      before_sha: '1a2b3c4d5e6f708192a3b4c5d6e7f80912345678',
      author: { name: 'Mona Lisa', email: 'mona@example.com', login: 'monalisa' },
    },
    change_request: {
      number: 12,
      title: 'Fix payment path',
      url: 'https://github.com/acme/api/pull/12',
      source_branch: 'fix/payment-path',
      target_branch: 'main',
    },
    actor: { login: 'monalisa', name: 'Mona Lisa', email: 'mona@example.com' },
    people: [],
    params: { env: 'prod' },
    server_url: 'https://github.com',
  };
  return { ...base, ...overrides };
}

/**
 * An event where everything a mapper may not know is null: what a bare shell without CI variables
 * gives. `overrides` sets the few fields every event has (id, timestamp, provider, status).
 */
export function emptyEvent(overrides: Partial<CiEvent> = {}): CiEvent {
  return {
    schema: 'ci-notify.event/v1',
    id: '0d6c3b1a-4f5e-4a7b-8c9d-0e1f2a3b4c5d',
    timestamp: '2026-12-01T10:00:00.000Z',
    provider: 'local',
    status: 'unknown',
    previous_status: null,
    transition: null,
    pipeline: {
      id: null,
      number: null,
      attempt: null,
      name: null,
      url: null,
      trigger: null,
      started_at: null,
      finished_at: null,
      duration_ms: null,
    },
    job: null,
    jobs: [],
    repository: { name: null, full_name: null, namespace: null, url: null },
    ref: { name: null, type: null, url: null },
    commit: { sha: null, short_sha: null, title: null, message: null, url: null, before_sha: null, author: null },
    change_request: null,
    actor: null,
    people: [],
    params: {},
    server_url: null,
    ...overrides,
  };
}
