#!/usr/bin/env node
/**
 * Writes templates/notify-pinned.yml from templates/notify.yml: the same component for GitLab before
 * 18.7, which rejects `spec: component` (its spec takes `inputs` only). There the image version cannot
 * come from `$[[ component.version ]]`, so this package's version is written in instead.
 *
 *   node scripts/build-templates.mjs          write the file
 *   node scripts/build-templates.mjs --check  exit 1 when the committed file differs (a test runs this)
 */
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const source = readFileSync(new URL('templates/notify.yml', root), 'utf8');

function pinnedTemplate(text, packageVersion) {
  const header = [
    '# GENERATED from templates/notify.yml by scripts/build-templates.mjs: edit that file, then run',
    '# `npm run templates`. This is the component for GitLab before 18.7 (no `spec: component`): the',
    `# ci-notify image version is written in (${packageVersion}) instead of coming from the include.`,
    '#',
  ].join('\n');
  const pinned = text
    .replace(/^ {2}# \$\[\[ component\.version \]\].*\n {2}component: \[version\]\n/m, '')
    .replaceAll('$[[ component.version ]]', packageVersion)
    .replace(
      / This file needs GitLab 18\.7[^\n]*\n#[^\n]*\n#[^\n]*\n/,
      ' On GitLab 18.7 or later `notify` does the same\n# and takes the image version from the include.\n#\n',
    );
  if (pinned.includes('component.') || pinned === text)
    throw new Error('templates/notify.yml changed shape: update scripts/build-templates.mjs');
  return `${header}\n${pinned}`;
}

const target = new URL('templates/notify-pinned.yml', root);
const wanted = pinnedTemplate(source, version);
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    /* missing: differs */
  }
  if (current !== wanted) {
    console.error('templates/notify-pinned.yml is not the build of templates/notify.yml: run npm run templates');
    process.exit(1);
  }
} else {
  writeFileSync(target, wanted);
}
