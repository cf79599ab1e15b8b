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
      },
      {
        name: 'test',
        status: 'failure',
        url: 'https://github.com/acme/api/actions/runs/4242/job/90001',
        duration_ms: 52000,
      },
      {
        name: 'lint',
        status: 'failure',
        url: 'https://github.com/acme/api/actions/runs/4242/job/90002',
        duration_ms: 1200,
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
    params: { env: 'prod' },
    server_url: 'https://github.com',
  };
  return { ...base, ...overrides };
}
