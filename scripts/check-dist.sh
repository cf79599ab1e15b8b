#!/usr/bin/env bash
# Rebuilds dist/ and fails when it differs from what is committed: changed, new or deleted files.
# dist/index.js is what the action, the GitLab component and `npx ci-notify` run, so a change in
# src/ without a rebuilt dist/ would ship old code. Fix: `npm run build` and commit dist/.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! git rev-parse --verify --quiet HEAD >/dev/null; then
  echo "check-dist: no commit to compare dist/ with" >&2
  exit 1
fi

npm run build --silent >/dev/null

# `git status` sees untracked files too, and leaves the index alone (this runs in working copies).
changes="$(git status --porcelain --untracked-files=all -- dist/)"
if [ -n "$changes" ]; then
  echo "check-dist: dist/ does not match the sources. Run 'npm run build' and commit dist/." >&2
  echo "$changes" >&2
  git --no-pager diff --stat -- dist/ >&2 || true
  exit 1
fi
echo "check-dist: dist/ matches the sources"
