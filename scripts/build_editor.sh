#!/bin/sh
# Rebuilds the query editor's vendored CodeMirror bundle from the npm registry:
#   src/qualifica/web/static/codemirror.js           (one IIFE, global QualificaCodeMirror)
#   src/qualifica/web/static/codemirror-licenses.txt (the licences of every bundled package)
# The versions are pinned in scripts/editor/package.json (and its package-lock.json). Needs node
# and npm (Debian: apt-get install nodejs npm). The built files are committed; the server never
# runs node.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../src/qualifica/web/static"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/editor/package.json" "$here/editor/entry.mjs" "$here/editor/build.mjs" "$work/"
[ -f "$here/editor/package-lock.json" ] && cp "$here/editor/package-lock.json" "$work/"
cd "$work"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
cp package-lock.json "$here/editor/package-lock.json"
mkdir -p "$out"
node build.mjs "$out/codemirror.js" \
  "/* CodeMirror 6 and its dependencies (MIT), bundled by scripts/build_editor.sh; licences: /static/codemirror-licenses.txt */"
# The licence of every package that went into the bundle.
node -e '
const fs = require("fs"), path = require("path");
const meta = JSON.parse(fs.readFileSync("meta.json", "utf8"));
const pkgs = new Set();
for (const input of Object.keys(meta.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) pkgs.add(m[1]);
}
let text = "The query editor bundles these packages from the npm registry (built by scripts/build_editor.sh).\n";
for (const name of [...pkgs].sort()) {
  const dir = path.join("node_modules", name);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const lic = fs.readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  text += "\n==== " + name + " " + pkg.version + " (" + pkg.license + ")\n\n";
  text += lic ? fs.readFileSync(path.join(dir, lic), "utf8") : "(no licence file; package.json says " + pkg.license + ")\n";
}
fs.writeFileSync(process.argv[1], text);
' "$out/codemirror-licenses.txt"
echo "built $out/codemirror.js ($(wc -c < "$out/codemirror.js") bytes)"
