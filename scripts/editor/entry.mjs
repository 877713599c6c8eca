// The parts of CodeMirror 6 the query page (static/sparql.js) uses, bundled by esbuild into one
// script that defines the global ``QualificaCodeMirror``. CodeMirror's styles are constructed
// stylesheets (adoptedStyleSheets), which a strict style-src policy allows.
export { EditorState, Prec } from "@codemirror/state";
export {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
} from "@codemirror/view";
export { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
export {
  StreamLanguage, syntaxHighlighting, HighlightStyle, bracketMatching, indentOnInput,
} from "@codemirror/language";
export {
  autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap,
} from "@codemirror/autocomplete";
export { setDiagnostics } from "@codemirror/lint";
export { tags } from "@lezer/highlight";
export { sparql } from "@codemirror/legacy-modes/mode/sparql";
