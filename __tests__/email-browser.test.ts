/**
 * The e-mail as people see it, in a real headless browser (Chromium through playwright-core): on a
 * 390 px phone and a 1200 px desktop nothing scrolls sideways and the failed jobs are on screen;
 * in light and in dark mode (`prefers-color-scheme: dark`) every piece of text keeps a WCAG AA
 * contrast (4.5:1) against what is behind it. Chromium must be installed (/usr/bin/chromium, or
 * CHROMIUM_PATH): without it this test fails, it is never skipped.
 */
import { existsSync } from 'node:fs';
import { jest } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';

import type { CiEvent } from '../src/event/types.js';
import type { Locale } from '../src/render/types.js';
import { defaultPayloads } from './support/default-payloads.js';
import { failureWithJobs, fixedRun, jobUrl, longMatrix, pullRequestRun } from './support/sample-events.js';

// Starting Chromium on a loaded machine takes seconds.
jest.setTimeout(120_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is needed for the e-mail rendering test and is not at ${CHROMIUM} (apt-get install chromium)`,
    );
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});
afterAll(async () => {
  await browser?.close();
});

/** A run whose job and branch names have no place to break: the layout must wrap them, not scroll. */
function unbreakable(): CiEvent {
  const e = failureWithJobs();
  return failureWithJobs({
    ref: { name: `feature/${'x'.repeat(120)}`, type: 'branch', url: null },
    jobs: [{ ...e.jobs[1]!, name: `integration-${'y'.repeat(150)}`, url: jobUrl(2) }],
    commit: { ...e.commit, title: 'z'.repeat(200) },
  });
}

const EVENTS: [string, () => CiEvent][] = [
  ['failure with jobs', failureWithJobs],
  ['long matrix', longMatrix],
  ['pull request', pullRequestRun],
  ['fixed', fixedRun],
  ['unbreakable names', unbreakable],
];
const cases = EVENTS.flatMap(([name, event]) => (['en', 'zh'] as Locale[]).map((locale) => ({ name, event, locale })));

interface Contrast {
  text: string;
  ratio: number;
  colour: string;
  background: string;
}

/**
 * Every visible text's contrast against the background actually behind it (WCAG 2 formula), run in
 * the page (browser code, so it is a string here: the project's TypeScript has no DOM types).
 */
const CONTRAST_REPORT = `(() => {
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c);
    if (!m) return [0, 0, 0, 0];
    const [r, g, b, a] = m[1].split(',').map((v) => Number(v.trim()));
    return [r, g, b, a === undefined ? 1 : a];
  };
  const luminance = ([r, g, b]) => {
    const lin = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const backgroundOf = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor;
      if (parse(bg)[3] > 0) return bg;
    }
    return 'rgb(255, 255, 255)';
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = (node.textContent || '').trim();
    const el = node.parentElement;
    if (text === '' || !el) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const colour = getComputedStyle(el).color;
    const background = backgroundOf(el);
    const [l1, l2] = [luminance(parse(colour)), luminance(parse(background))].sort((a, b) => b - a);
    out.push({ text: text.slice(0, 40), ratio: (l1 + 0.05) / (l2 + 0.05), colour, background });
  }
  return out;
})()`;

const SCROLL = `({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })`;
const CARD_BACKGROUND = `getComputedStyle(document.querySelector('table.cin-card')).backgroundColor`;

describe.each(cases)('the e-mail of "$name" ($locale) in Chromium', ({ event, locale }) => {
  const { html } = defaultPayloads(event(), locale).email;
  const failedUrls = [
    ...new Set(
      event()
        .jobs.filter((j) => j.status === 'failure' && j.url !== null)
        .slice(0, 8)
        .map((j) => j.url!),
    ),
  ];

  it.each([390, 1200])('fits %i px without scrolling sideways and shows the failed jobs', async (width) => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    try {
      await page.setContent(html);
      const scroll = (await page.evaluate(SCROLL)) as { scrollWidth: number; clientWidth: number };
      expect(scroll.scrollWidth).toBeLessThanOrEqual(scroll.clientWidth);
      for (const url of failedUrls) {
        const link = page.locator(`a[href="${url}"]`).first();
        expect(await link.isVisible()).toBe(true);
        const box = (await link.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(width);
      }
      // The card never exceeds 600 px, and on a phone it takes the width there is.
      const card = (await page.locator('table.cin-card').boundingBox())!;
      expect(card.width).toBeLessThanOrEqual(600);
      if (width < 600) expect(card.width).toBeGreaterThan(width - 40);
    } finally {
      await page.close();
    }
  });

  it.each(['light', 'dark'] as const)(
    'keeps every text readable in %s mode (contrast at least 4.5:1)',
    async (scheme) => {
      const page = await browser.newPage({ viewport: { width: 390, height: 900 }, colorScheme: scheme });
      try {
        await page.setContent(html);
        const report = (await page.evaluate(CONTRAST_REPORT)) as Contrast[];
        expect(report.length).toBeGreaterThan(5);
        const poor = report.filter((r) => r.ratio < 4.5);
        expect(poor).toEqual([]);
        // Dark mode really is dark: the card's background is not white.
        const card = (await page.evaluate(CARD_BACKGROUND)) as string;
        expect(card === 'rgb(255, 255, 255)').toBe(scheme === 'light');
      } finally {
        await page.close();
      }
    },
  );
});
