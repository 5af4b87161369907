/** The Credentials dialog: the access key pair every API call is signed with (kept in sessionStorage). */
import { getCredentials, setCredentials } from "./api.js";
import { h } from "./dom.js";

export function openCredentialsDialog(onSaved) {
  const current = getCredentials();
  const accessKeyId = h("input", { name: "accessKeyId", value: current.accessKeyId, required: true, autocomplete: "off" });
  const secretAccessKey = h("input", { name: "secretAccessKey", type: "password", value: current.secretAccessKey, required: true, autocomplete: "off" });
  const region = h("input", { name: "region", value: current.region, required: true, pattern: "[a-z]{2}(-[a-z]+)+-\\d" });
  const dialog = h("dialog", { class: "credentials" },
    h("form", { method: "dialog", onsubmit: (event) => {
      event.preventDefault();
      setCredentials({ accessKeyId: accessKeyId.value.trim(), secretAccessKey: secretAccessKey.value, region: region.value.trim() });
      dialog.close();
      onSaved();
    } },
      h("h2", {}, "Credentials"),
      h("p", { class: "hint" }, "The console signs every call to Unkai with SigV4, like the AWS CLI. Unkai's default key pair on loopback is test / test. Kept for this browser tab only."),
      h("label", {}, "Access key ID", accessKeyId),
      h("label", {}, "Secret access key", secretAccessKey),
      h("label", {}, "Region", region),
      h("div", { class: "actions" },
        h("button", { type: "button", onclick: () => dialog.close() }, "Cancel"),
        h("button", { type: "submit", class: "primary" }, "Save"))));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
