/**
 * The JSON Schema (draft 2020-12) of `ci-notify.event/v1` (DESIGN §3), mirroring `types.ts` field by
 * field: every key is required, a field a mapper cannot fill is `null`, and no other keys are allowed.
 * `schemas/ci-notify.event.v1.json` is an identical copy for consumers outside this package
 * (a test keeps the two equal and validates every mapper's output against it).
 */

const nullableString = { type: ['string', 'null'] } as const;
const nullableCount = { type: ['integer', 'null'], minimum: 0 } as const;
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;
const nullableUrl = { type: ['string', 'null'], minLength: 1 } as const;

export const EVENT_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:ci-notify:event:v1',
  title: 'ci-notify.event/v1',
  description:
    'One CI pipeline outcome, as ci-notify posts it to webhooks and exposes it to templates. Every field a CI system cannot provide is null, never invented.',
  type: 'object',
  additionalProperties: false,
  required: [
    'schema',
    'id',
    'timestamp',
    'provider',
    'status',
    'previous_status',
    'transition',
    'pipeline',
    'job',
    'jobs',
    'repository',
    'ref',
    'commit',
    'change_request',
    'actor',
    'people',
    'params',
    'server_url',
  ],
  properties: {
    schema: { const: 'ci-notify.event/v1' },
    id: { type: 'string', minLength: 1, description: 'Unique per notification run (a uuid); also the delivery id.' },
    timestamp: { type: 'string', format: 'date-time' },
    provider: { enum: ['github', 'gitlab', 'local'] },
    status: { $ref: '#/$defs/status' },
    previous_status: {
      anyOf: [{ $ref: '#/$defs/status' }, { type: 'null' }],
      description: 'Outcome of the previous completed run of the same pipeline on the same ref, when known.',
    },
    transition: { enum: ['fixed', 'regressed', 'still_failing', 'unchanged', null] },
    pipeline: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'number', 'attempt', 'name', 'url', 'trigger', 'started_at', 'finished_at', 'duration_ms'],
      properties: {
        id: nullableString,
        number: nullableCount,
        attempt: nullableCount,
        name: nullableString,
        url: nullableUrl,
        trigger: nullableString,
        started_at: nullableDateTime,
        finished_at: nullableDateTime,
        duration_ms: nullableCount,
      },
    },
    job: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['id', 'name', 'stage', 'url'],
      properties: { id: nullableString, name: nullableString, stage: nullableString, url: nullableUrl },
    },
    jobs: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'status', 'url', 'duration_ms', 'stage', 'allow_failure', 'failed_step'],
        properties: {
          name: { type: 'string' },
          status: { $ref: '#/$defs/status' },
          url: nullableUrl,
          duration_ms: nullableCount,
          stage: nullableString,
          allow_failure: { type: 'boolean' },
          failed_step: nullableString,
        },
      },
    },
    repository: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'full_name', 'namespace', 'url'],
      properties: { name: nullableString, full_name: nullableString, namespace: nullableString, url: nullableUrl },
    },
    ref: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'type', 'url'],
      properties: {
        name: nullableString,
        type: { enum: ['branch', 'tag', 'pull_request', 'merge_request', null] },
        url: nullableUrl,
      },
    },
    commit: {
      type: 'object',
      additionalProperties: false,
      required: ['sha', 'short_sha', 'title', 'message', 'url', 'before_sha', 'author'],
      properties: {
        sha: nullableString,
        short_sha: nullableString,
        title: nullableString,
        message: nullableString,
        url: nullableUrl,
        before_sha: nullableString,
        author: { $ref: '#/$defs/person' },
      },
    },
    change_request: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['number', 'title', 'url', 'source_branch', 'target_branch'],
      properties: {
        number: nullableCount,
        title: nullableString,
        url: nullableUrl,
        source_branch: nullableString,
        target_branch: nullableString,
      },
    },
    actor: { $ref: '#/$defs/person' },
    people: {
      type: 'array',
      description: 'People selected by mention_people: names and roles only, never phone numbers or ids.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'roles', 'reachable'],
        properties: {
          name: { type: 'string' },
          roles: { type: 'array', items: { enum: ['author', 'actor', 'committer', 'culprit'] } },
          reachable: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    params: { type: 'object', additionalProperties: { type: 'string' } },
    server_url: nullableUrl,
  },
  $defs: {
    status: { enum: ['success', 'failure', 'cancelled', 'skipped', 'running', 'pending', 'unknown'] },
    person: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['name', 'email', 'login'],
      properties: { name: nullableString, email: nullableString, login: nullableString },
    },
  },
} as const;
