#!/usr/bin/env bash
# Fetch the pinned front-end assets from the npm registry into dangjian/static/vendor and write SHA256SUMS.
# Run by hand when a version changes; the files are committed, so CI and the app never need npm or a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=dangjian/static/vendor
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PKGS=(htmx.org@2.0.11 @tabler/core@1.6.1 bootstrap-icons@1.13.2 echarts@6.1.0 @alpinejs/csp@3.17.4)
(cd "$TMP" && for p in "${PKGS[@]}"; do npm pack -q "$p" >/dev/null; done && for f in *.tgz; do mkdir -p "${f%.tgz}" && tar -xzf "$f" -C "${f%.tgz}"; done)
rm -rf "$DEST" && mkdir -p "$DEST"/{htmx,tabler,bootstrap-icons/fonts,echarts,alpine}
cp "$TMP"/htmx.org-*/package/dist/htmx.min.js "$DEST/htmx/"
cp "$TMP"/tabler-core-*/package/dist/css/tabler.min.css "$DEST/tabler/"
cp "$TMP"/tabler-core-*/package/dist/js/tabler.min.js "$DEST/tabler/"
cp "$TMP"/bootstrap-icons-*/package/font/bootstrap-icons.min.css "$DEST/bootstrap-icons/"
cp "$TMP"/bootstrap-icons-*/package/font/fonts/bootstrap-icons.woff2 "$DEST/bootstrap-icons/fonts/"
cp "$TMP"/echarts-*/package/dist/echarts.min.js "$DEST/echarts/"
cp "$TMP"/alpinejs-csp-*/package/dist/cdn.min.js "$DEST/alpine/alpine-csp.min.js"
printf '%s\n' "${PKGS[@]}" > "$DEST/VERSIONS"
(cd "$DEST" && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum > SHA256SUMS)
echo "vendored into $DEST"
