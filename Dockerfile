# The ci-notify image: Node 24 on Alpine, the bundle (dist/) in /opt/ci-notify, `ci-notify` on the
# PATH, run as the unprivileged `node` user (uid 1000). The GitLab component runs its jobs in it by
# default ($CI_REGISTRY_IMAGE:<version>, built and pushed by .gitlab-ci.yml), so nothing is
# downloaded when a pipeline notifies. As a CLI: docker run --rm -e NOTIFY_URL <image> ci-notify --help
#
# Only COPY, ENV and USER: building runs nothing inside the image, so a daemonless builder needs no
# privileges for it, and __tests__/image.test.ts lays out the same files in a directory and runs them.
#
# The base is pinned by digest, so the same commit always gets the same Node. To move to a newer
# node:24-alpine (Dependabot proposes it too, .github/dependabot.yml), look up the digest of the
# multi-platform index and put it below:
#   docker buildx imagetools inspect docker.io/library/node:24-alpine --format '{{json .Manifest.Digest}}'
#   (or: crane digest node:24-alpine, or: skopeo inspect --raw docker://node:24-alpine | sha256sum)
FROM docker.io/library/node:24-alpine@sha256:d32cdf619f63fe0471182d08996dd516c6275bb5fd31ae06e55a570bd9e1ad43

LABEL org.opencontainers.image.title="ci-notify" \
      org.opencontainers.image.description="Tell your team how the CI pipeline went: DingTalk, WeCom, Lark/Feishu, e-mail, webhooks, Jenkins" \
      org.opencontainers.image.source="https://gitlab.com/ci-notify/ci-notify" \
      org.opencontainers.image.licenses="MIT"

# dist/ is the committed bundle: index.js, the chunks it loads lazily and its package.json ("type": "commonjs").
COPY dist/ /opt/ci-notify/
COPY --chmod=0755 image/bin/ci-notify /opt/ci-notify/bin/ci-notify
ENV PATH=/opt/ci-notify/bin:$PATH

USER node
WORKDIR /home/node

# No ENTRYPOINT of our own: GitLab runs a job's script through the image's shell, which the Node
# image's entrypoint starts. `docker run <image>` alone prints the help.
CMD ["ci-notify", "--help"]
