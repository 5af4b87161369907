/**
 * The local mailbox (SNS `email` and `email-json` subscriptions are delivered to files, never sent out):
 * every address with mail, and an address's newest messages with their subject, date and text. A
 * confirmation mail's link confirms the subscription when followed, as on AWS.
 */
import { unkaiJson } from "../api.js";
import { errorBox, h, replace } from "../dom.js";

export function mailboxCard() {
  const errors = errorBox();
  const list = h("ul", { id: "mailboxes", class: "plain" });
  const messages = h("div", { id: "mail-messages" });
  const card = h("div", { class: "card" },
    h("h3", {}, "Mailboxes"),
    h("p", { class: "hint" }, "Mail for email and email-json subscriptions stays here: Unkai sends no mail."),
    errors.el, list, messages);

  async function open(address) {
    try {
      const { messages: mail } = await unkaiJson(`/_unkai/mail/${encodeURIComponent(address)}`, { query: { limit: "20" } });
      replace(messages, h("h4", {}, address), mail.length === 0 ? h("p", { class: "empty" }, "No mail.") : mail.map((m) =>
        h("div", { class: "mail", "data-mail": m.id },
          h("div", { class: "mail-head" }, h("strong", {}, m.subject), " ", h("span", { class: "hint" }, `${m.date} · ${m.from}`)),
          h("pre", { class: "message-body" }, m.body))));
    } catch (error) {
      errors.show(error);
    }
  }

  async function load() {
    try {
      const { mailboxes } = await unkaiJson("/_unkai/mail");
      errors.clear();
      replace(list, mailboxes.length === 0 ? h("li", { class: "empty" }, "No mail yet.") : mailboxes.map((m) =>
        h("li", { "data-address": m.address }, h("button", { class: "link", onclick: () => void open(m.address) }, m.address), ` (${m.messages})`)));
    } catch (error) {
      errors.show(error);
    }
  }

  return { el: card, load };
}
