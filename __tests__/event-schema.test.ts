import { EVENT_JSON_SCHEMA } from '../src/event/schema.js';
import { emptyEvent } from './support/fixtures.js';
import { STATUSES, TRANSITIONS, type CiEvent } from '../src/event/types.js';
import { PUBLISHED_SCHEMA, schemaErrors } from './support/event-schema.js';

/** An event with every field filled, as a type check that the schema and types.ts agree. */
function fullEvent(): CiEvent {
  return {
    schema: 'ci-notify.event/v1',
    id: '7b0c6f1e-3d5a-4a8e-9a3e-0c9d2f1b6a11',
    timestamp: '2026-12-01T10:00:00.000Z',
    provider: 'github',
    status: 'failure',
    previous_status: 'success',
    transition: 'regressed',
    pipeline: {
      id: '9001',
      number: 128,
      attempt: 1,
      name: 'CI',
      url: 'https://github.com/acme/api/actions/runs/9001',
      trigger: 'push',
      started_at: '2026-12-01T09:58:27Z',
      finished_at: '2026-12-01T10:00:00Z',
      duration_ms: 93000,
    },
    job: { id: 'build', name: 'build', stage: 'test', url: 'https://github.com/acme/api/actions/runs/9001/job/1' },
    jobs: [
      {
        name: 'lint',
        status: 'success',
        url: 'https://github.com/acme/api/actions/runs/9001/job/2',
        duration_ms: 1200,
        stage: null,
        allow_failure: false,
        failed_step: null,
      },
    ],
    repository: { name: 'api', full_name: 'acme/api', namespace: 'acme', url: 'https://github.com/acme/api' },
    ref: { name: 'main', type: 'branch', url: 'https://github.com/acme/api/tree/main' },
    commit: {
      sha: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
      short_sha: '1a2b3c4',
      title: 'Fix it',
      message: 'Fix it\n\nReally.',
      url: 'https://github.com/acme/api/commit/1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
      before_sha: '0f9e8d7c6b5a49382716',
      author: { name: 'Mona', email: 'mona@example.com', login: 'mona' },
    },
    change_request: {
      number: 12,
      title: 'Fix it',
      url: 'https://github.com/acme/api/pull/12',
      source_branch: 'fix',
      target_branch: 'main',
    },
    actor: { login: 'mona', name: null, email: null },
    people: [{ name: 'Mona Lisa', roles: ['author', 'culprit'], reachable: ['dingtalk', 'email'] }],
    params: { env: 'prod' },
    server_url: 'https://github.com',
  };
}

/** Walks every object schema in the tree. */
function objectSchemas(node: unknown, path = '#'): { path: string; schema: Record<string, unknown> }[] {
  if (typeof node !== 'object' || node === null) return [];
  const found: { path: string; schema: Record<string, unknown> }[] = [];
  const schema = node as Record<string, unknown>;
  if (schema.properties) found.push({ path, schema });
  for (const [key, value] of Object.entries(schema)) {
    if (typeof value === 'object' && value !== null) found.push(...objectSchemas(value, `${path}/${key}`));
  }
  return found;
}

describe('ci-notify.event/v1 JSON Schema', () => {
  it('is published at schemas/ci-notify.event.v1.json exactly as src/event/schema.ts exports it', () => {
    expect(PUBLISHED_SCHEMA).toEqual(JSON.parse(JSON.stringify(EVENT_JSON_SCHEMA)));
  });

  it('requires every key and allows no other key in every object', () => {
    const objects = objectSchemas(EVENT_JSON_SCHEMA);
    expect(objects.map((o) => o.path)).toEqual([
      '#',
      '#/properties/pipeline',
      '#/properties/job',
      '#/properties/jobs/items',
      '#/properties/repository',
      '#/properties/ref',
      '#/properties/commit',
      '#/properties/change_request',
      '#/properties/people/items',
      '#/$defs/person',
    ]);
    for (const { schema } of objects) {
      expect([...(schema.required as string[])].sort()).toEqual(Object.keys(schema.properties as object).sort());
      expect(schema.additionalProperties).toBe(false);
    }
  });

  it('lists the same statuses and transitions as types.ts', () => {
    expect(EVENT_JSON_SCHEMA.$defs.status.enum).toEqual([...STATUSES]);
    expect(EVENT_JSON_SCHEMA.properties.transition.enum).toEqual([...TRANSITIONS, null]);
  });

  it('accepts an event with every field filled', () => {
    expect(schemaErrors(fullEvent())).toEqual([]);
  });

  it('accepts an event where everything a mapper may not know is null', () => {
    const empty = emptyEvent({ id: fullEvent().id, timestamp: fullEvent().timestamp, status: fullEvent().status });
    expect(schemaErrors(empty)).toEqual([]);
  });

  it('rejects a missing key, an extra key, a wrong enum value and a non-string param', () => {
    const { server_url: _dropped, ...missing } = fullEvent();
    expect(schemaErrors(missing)).toEqual(["/ must have required property 'server_url'"]);
    expect(schemaErrors({ ...fullEvent(), commit: { ...fullEvent().commit, branch: 'main' } })).toEqual([
      '/commit must NOT have additional properties',
    ]);
    expect(schemaErrors({ ...fullEvent(), status: 'failed' })).toEqual([
      '/status must be equal to one of the allowed values',
    ]);
    expect(schemaErrors({ ...fullEvent(), ref: { ...fullEvent().ref, type: 'commit' } })).toEqual([
      '/ref/type must be equal to one of the allowed values',
    ]);
    expect(schemaErrors({ ...fullEvent(), params: { retries: 3 } })).toEqual(['/params/retries must be string']);
    expect(schemaErrors({ ...fullEvent(), timestamp: 'yesterday' })).toEqual([
      '/timestamp must match format "date-time"',
    ]);
    expect(schemaErrors({ ...fullEvent(), schema: 'ci-notify.event/v2' })).toEqual([
      '/schema must be equal to constant',
    ]);
  });
});
