// Bundles entry.mjs into one IIFE (global QualificaCodeMirror); run by scripts/build_editor.sh.
//
// One change to a dependency, made here at build time: style-mod (CodeMirror's style injector)
// writes its rules into a <style> element when the editor lives in the document, which a
// Content-Security-Policy without 'unsafe-inline' blocks. Constructed stylesheets
// (document.adoptedStyleSheets) are not inline styles, and style-mod already uses them inside
// shadow roots; the patch lets it use them for the document too, wherever the browser has them.
import * as esbuild from "esbuild";
import { readFile, writeFile } from "node:fs/promises";

const [outfile, banner] = process.argv.slice(2);
const NEEDLE = "if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {";
const PATCHED = "if (root.adoptedStyleSheets && win.CSSStyleSheet) {";

const adoptedStyles = {
  name: "adopted-styles",
  setup(build) {
    build.onLoad({ filter: /style-mod[\\/]src[\\/]style-mod\.js$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      if (!text.includes(NEEDLE)) {
        throw new Error("style-mod changed: the adoptedStyleSheets patch no longer applies");
      }
      return { contents: text.replace(NEEDLE, PATCHED), loader: "js" };
    });
  },
};

const result = await esbuild.build({
  entryPoints: ["entry.mjs"], bundle: true, minify: true, format: "iife",
  globalName: "QualificaCodeMirror", target: "es2020", legalComments: "none",
  banner: { js: banner }, metafile: true, outfile, plugins: [adoptedStyles],
});
await writeFile("meta.json", JSON.stringify(result.metafile));
