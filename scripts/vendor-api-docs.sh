#!/bin/sh
# Fetch the built Swagger UI and ReDoc bundles (with their licences) from the npm registry into
# src/qualifica/web/static/vendor/, the assets /docs and /redoc are served from.
# After an upgrade of redoc, check REDOC_STYLE_HASHES in api/security.py
# (tests/browser/test_api_docs_offline.py reports any style the policy refuses).
set -eu
SWAGGER_UI=5.35.0
REDOC=2.5.4
root=$(cd "$(dirname "$0")/.." && pwd)
vendor="$root/src/qualifica/web/static/vendor"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "swagger-ui-dist@$SWAGGER_UI" "redoc@$REDOC" >/dev/null
mkdir swagger redoc
tar xzf "swagger-ui-dist-$SWAGGER_UI.tgz" -C swagger
tar xzf "redoc-$REDOC.tgz" -C redoc
mkdir -p "$vendor/swagger-ui" "$vendor/redoc"
for f in swagger-ui-bundle.js swagger-ui.css swagger-ui-bundle.js.LICENSE.txt LICENSE NOTICE \
         package.json; do
  cp "swagger/package/$f" "$vendor/swagger-ui/$f"
done
for f in bundles/redoc.standalone.js bundles/redoc.standalone.js.LICENSE.txt LICENSE \
         package.json; do
  cp "redoc/package/$f" "$vendor/redoc/$(basename "$f")"
done
echo "swagger-ui-dist $SWAGGER_UI and redoc $REDOC in $vendor"
