/**
 * npm run preview — writes .cache/preview/messages.html (or <dir>/messages.html): every channel's
 * default message for the sample events, en and zh, drawn roughly as each client draws it
 * (scripts/preview-page.ts), for looking at a change to the messages the way people will see it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { previewPage } from './preview-page.js';

const dir = resolve(process.argv[2] ?? join('.cache', 'preview'));
mkdirSync(dir, { recursive: true });
const file = join(dir, 'messages.html');
writeFileSync(file, previewPage());
console.log(`wrote ${file}`);
