#!/usr/bin/env bash
# Makes `docker compose` available to check docker-compose.yml on machines that have only the
# docker client (no engine, no compose plugin): builds Compose v2 from its Go module once, into a
# cache outside the repo, and links it as the user's docker CLI plugin. A no-op when it exists.
set -euo pipefail
if ! command -v docker >/dev/null 2>&1; then echo "no docker client: skipping the compose check"; exit 0; fi
if docker compose version >/dev/null 2>&1; then exit 0; fi
if ! command -v go >/dev/null 2>&1; then echo "no docker compose plugin and no Go: skipping the compose check"; exit 0; fi
version=v2.29.7
cache="${FASTFOLLOW_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fastfollow-sync}/compose/$version"
if [ ! -x "$cache/docker-compose" ]; then
  echo "Building docker compose $version from its Go module, once (a few minutes)…"
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.build-XXXXXX")
  GOBIN="$tmp" GOFLAGS=-mod=mod go install "github.com/docker/compose/v2/cmd@$version"
  mv "$tmp/cmd" "$cache/docker-compose"
  rm -rf "$tmp"
fi
mkdir -p "$HOME/.docker/cli-plugins"
ln -sf "$cache/docker-compose" "$HOME/.docker/cli-plugins/docker-compose"
docker compose version
