/** The Code tab: the package's files in an editor (for packages small enough), Deploy saves a new $LATEST. */
import { UpdateFunctionCodeCommand } from "@aws-sdk/client-lambda";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { unkaiFetch, lambda } from "../api.js";
import { editorText, createEditor } from "../editor.js";
import { errorBox, h, replace, toast } from "../dom.js";

/** As on Lambda: packages above 3 MB are not edited in the browser. */
const EDITABLE_BYTES = 3 * 1024 * 1024;
const TEXT_FILE = /\.(m?js|cjs|ts|py|json|txt|md|sh|ya?ml|toml|cfg|ini|html|css)$|(^|\/)bootstrap$/;

export async function codeTab(body, fn) {
  const name = fn.Configuration.FunctionName;
  const errors = errorBox();
  const size = fn.Configuration.CodeSize ?? 0;
  if (size > EDITABLE_BYTES) {
    replace(body, h("p", { class: "card" }, `This package is ${(size / 1048576).toFixed(1)} MB, too large to edit in the browser (the limit is 3 MB). Deploy a new .zip instead.`), uploadForm(name, errors), errors.el);
    return;
  }
  const location = new URL(fn.Code.Location);
  const zip = new Uint8Array(await (await unkaiFetch(location.pathname)).arrayBuffer());
  const files = unzipSync(zip);
  const paths = Object.keys(files).filter((p) => !p.endsWith("/")).sort();
  const editable = paths.filter((p) => TEXT_FILE.test(p) && files[p].length < 512 * 1024);
  const edited = new Map();
  const handlerFile = fn.Configuration.Handler?.split(".")[0];
  let current = editable.find((p) => p.replace(/\.[^.]+$/, "") === handlerFile) ?? editable[0];
  let view;
  const editorHost = h("div", { class: "editor", id: "code-editor" });
  const fileList = h("ul", { class: "files" });
  const deploy = h("button", { class: "primary", id: "deploy", disabled: true, onclick: () => void save() }, "Deploy");
  const status = h("span", { class: "hint", id: "deploy-status" }, "No changes. Ctrl+S deploys.");

  const open = (path) => {
    if (view && current) edited.set(current, editorText(view));
    current = path;
    view?.destroy();
    view = createEditor(editorHost, edited.get(path) ?? strFromU8(files[path]), path, () => {
      deploy.disabled = false;
      status.textContent = "Changes not deployed.";
    });
    renderFiles();
  };
  const renderFiles = () => replace(fileList, paths.map((p) => h("li", {},
    editable.includes(p)
      ? h("button", { class: p === current ? "link active" : "link", onclick: () => open(p) }, p)
      : h("span", { class: "hint", title: "Binary or large: not editable here" }, p))));

  async function save() {
    if (view && current) edited.set(current, editorText(view));
    deploy.disabled = true;
    status.textContent = "Deploying…";
    errors.clear();
    try {
      const next = { ...files };
      for (const [path, text] of edited) next[path] = strToU8(text);
      const result = await lambda().send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zipSync(next) }));
      status.textContent = `Deployed at ${new Date(result.LastModified ?? Date.now()).toLocaleTimeString()} (${result.CodeSha256?.slice(0, 12)}…).`;
      toast("Deployed: $LATEST has the new code.");
    } catch (error) {
      deploy.disabled = false;
      status.textContent = "Deploy failed.";
      errors.show(error);
    }
  }

  replace(body,
    h("div", { class: "toolbar" }, deploy, status, h("span", { class: "spacer" }), h("span", { class: "hint" }, `Handler: ${fn.Configuration.Handler ?? "–"}`)),
    errors.el,
    h("div", { class: "code-layout" }, h("aside", {}, h("h3", {}, "Files"), fileList), editorHost),
    uploadForm(name, errors));
  if (current) open(current);
  else replace(editorHost, h("p", { class: "hint" }, "No text files to edit in this package."));
  const saveKey = (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      if (!deploy.disabled) void save();
    }
  };
  window.addEventListener("keydown", saveKey);
  return () => {
    window.removeEventListener("keydown", saveKey);
    view?.destroy();
  };
}

function uploadForm(name, errors) {
  const input = h("input", { type: "file", accept: ".zip,application/zip", "aria-label": "Upload a .zip" });
  return h("details", { class: "card" }, h("summary", {}, "Upload a .zip instead"),
    h("div", { class: "toolbar" }, input, h("button", { onclick: async () => {
      const file = input.files?.[0];
      if (!file) return errors.show(new Error("Choose a .zip file first."));
      try {
        await lambda().send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: new Uint8Array(await file.arrayBuffer()) }));
        toast("Uploaded: $LATEST has the new code.");
        window.dispatchEvent(new HashChangeEvent("hashchange"));
      } catch (error) {
        errors.show(error);
      }
    } }, "Upload")));
}
