/** CodeMirror 6 editors with the language of the file. */
import { javascript } from "@codemirror/lang-javascript";
import { json } from "@codemirror/lang-json";
import { python } from "@codemirror/lang-python";
import { basicSetup, EditorView } from "codemirror";

function languageOf(fileName) {
  if (/\.(m|c)?[jt]s$/.test(fileName)) return [javascript({ typescript: fileName.endsWith("ts") })];
  if (fileName.endsWith(".py")) return [python()];
  if (fileName.endsWith(".json")) return [json()];
  return [];
}

/** An editor in `parent`; `onChange` hears every edit. */
export function createEditor(parent, text, fileName, onChange = () => {}) {
  return new EditorView({
    doc: text,
    parent,
    extensions: [
      basicSetup,
      languageOf(fileName),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) onChange(update.state.doc.toString());
      }),
    ],
  });
}

export const editorText = (view) => view.state.doc.toString();

export function setEditorText(view, text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}
