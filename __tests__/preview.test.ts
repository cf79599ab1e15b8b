/**
 * `npm run preview` draws every registered channel's default message for every sample event in
 * both locales, so a new channel cannot be left out of the page people review messages on. The
 * page is what scripts/preview.ts writes (scripts/preview-page.ts builds it); each drawing carries
 * `data-channel="<type>"`.
 */
import { CHANNEL_TYPES } from '../src/channels/index.js';
import { previewPage } from '../scripts/preview-page.js';
import { SAMPLE_EVENTS } from './support/sample-events.js';

const page = previewPage();

/** The rows of the page: one per sample event and locale, with the channels drawn in it. */
function rows(): { event: string; locale: string; channels: string[] }[] {
  return page
    .split('<div class="row" ')
    .slice(1)
    .map((row) => ({
      event: /data-event="([^"]*)"/.exec(row)?.[1] ?? '',
      locale: /data-locale="([^"]*)"/.exec(row)?.[1] ?? '',
      channels: [...row.matchAll(/data-channel="([a-z_]+)"/g)].map((m) => m[1]!),
    }));
}

describe('npm run preview', () => {
  it('has one row per sample event and locale', () => {
    expect(rows().map((r) => `${r.event} · ${r.locale}`)).toEqual(
      Object.keys(SAMPLE_EVENTS).flatMap((name) => [`${name} · en`, `${name} · zh`]),
    );
  });

  it('draws every registered channel type in every row, and nothing that is not a channel', () => {
    expect(CHANNEL_TYPES.length).toBeGreaterThanOrEqual(13);
    for (const row of rows()) {
      expect({ row: `${row.event} · ${row.locale}`, channels: [...new Set(row.channels)].sort() }).toEqual({
        row: `${row.event} · ${row.locale}`,
        channels: [...CHANNEL_TYPES].sort(),
      });
    }
  });

  it('draws each chat channel from its real payload: the title and the failed jobs are on the page', () => {
    const failure = page.split('<div class="row" ')[1]!;
    for (const type of ['slack', 'teams', 'discord', 'telegram', 'google_chat', 'mattermost']) {
      const drawing = failure.split(`data-channel="${type}"`)[1]!.split('data-channel=')[0]!;
      expect({ type, title: drawing.includes('acme/api · main · CI #128 failed (was passing)') }).toEqual({
        type,
        title: true,
      });
      expect({
        type,
        jobs: drawing.match(/<a href="https:\/\/github\.com\/acme\/api\/actions\/runs\/4242\/job\/\d">/g),
      }).toEqual({
        type,
        jobs: [
          '<a href="https://github.com/acme/api/actions/runs/4242/job/2">',
          '<a href="https://github.com/acme/api/actions/runs/4242/job/3">',
        ],
      });
    }
  });
});
