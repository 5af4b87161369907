/** A tiny DOM builder (text always goes in as text, never as HTML) and the console's notices. */

/** `h("button", { class: "primary", onclick }, "Save")`; attributes with `undefined`/`false` are left out. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false || value === null) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "value") el.value = value;
    else if (key === "checked") el.checked = Boolean(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A short notice in the corner; errors stay until clicked. */
export function toast(message, kind = "info") {
  const el = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status", onclick: () => el.remove() }, message);
  document.getElementById("toasts")?.append(el);
  if (kind !== "error") setTimeout(() => el.remove(), 4000);
}

/** The message of an SDK or fetch error, with its AWS error type. */
export function describeError(error) {
  const type = error?.name && error.name !== "Error" ? `${error.name}: ` : "";
  const hint = /Signature|Token|Credential|AccessDenied|UnrecognizedClient|Forbidden/i.test(`${error?.name} ${error?.message}`)
    ? " Check the key pair under Credentials (top right)."
    : "";
  return `${type}${error?.message ?? String(error)}${hint}`;
}

/** A box that shows an API error inline (empty until `show`). */
export function errorBox() {
  const el = h("div", { class: "error-box", role: "alert", hidden: true });
  return {
    el,
    show(error) {
      el.hidden = false;
      replace(el, describeError(error));
    },
    clear() {
      el.hidden = true;
      el.replaceChildren();
    },
  };
}

export const formatMs = (ms) => (ms === undefined || ms === null ? "–" : `${Number(ms).toFixed(2)} ms`);

/** A page's button action: `work`, then `reload`; success clears `errors` (and toasts `done` when given), failure shows there. */
export async function runAction(errors, work, reload, done) {
  try {
    await work();
    errors.clear();
    if (done) toast(done);
    await reload();
  } catch (error) {
    errors.show(error);
  }
}
