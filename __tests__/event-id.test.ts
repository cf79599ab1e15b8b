import { newEventId } from '../src/event/id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newEventId', () => {
  it('is a version 4, variant 10 UUID in lower-case hex', () => {
    for (let i = 0; i < 1000; i++) expect(newEventId()).toMatch(UUID_V4);
  });

  it('sets the version and variant bits whatever the random source gives', () => {
    expect(newEventId(() => 0)).toBe('00000000-0000-4000-8000-000000000000');
    expect(newEventId(() => 0.9999999)).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 100_000 }, () => newEventId()));
    expect(ids.size).toBe(100_000);
  });
});
