/** TagResource, UntagResource, ListTags on functions (tags live on the function's record). */
import { z } from "zod/v3";
import { parseFunctionRef } from "../../core/arn.js";
import { invalidParameter } from "../../core/errors.js";
import { empty, json, type UnkaiRequest } from "../../protocol/http.js";
import type { Router } from "../../protocol/router.js";
import type { FunctionService } from "../../functions/function-service.js";
import { stringMap } from "../../protocol/input.js";
import { parseBody } from "./shapes.js";

/** Tags kept as sent: a tag named `__proto__` too (stringMap). */
const tagInput = z.object({ Tags: stringMap });

/** Lambda's tag rules: 50 per resource, keys 1–128 characters, values up to 256, no `aws:` prefix. */
export function validateTags(tags: Record<string, string>): void {
  const entries = Object.entries(tags);
  if (entries.length > 50) throw invalidParameter(`A function can have at most 50 tags; this request would give it ${entries.length}.`);
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128) throw invalidParameter(`Tag key '${key}' must be 1 to 128 characters long.`);
    if (value.length > 256) throw invalidParameter(`The value of tag '${key}' is longer than 256 characters.`);
    if (key.toLowerCase().startsWith("aws:")) throw invalidParameter(`Tag key '${key}' uses the reserved prefix 'aws:'.`);
  }
}

export function tagRoutes(router: Router, functions: FunctionService): void {
  /** Tags apply to the unqualified function, named by its ARN. */
  const target = async (_request: UnkaiRequest, raw: string) => {
    if (!raw.startsWith("arn:")) throw invalidParameter(`Resource '${raw}' must be a function ARN.`);
    const { name, qualifier } = parseFunctionRef(raw, undefined, functions.account);
    if (qualifier !== undefined) throw invalidParameter("Tags can only be set on an unqualified function ARN.");
    await functions.get(name);
    return name;
  };

  router
    .on("POST", "/2017-03-31/tags/{arn}", async (request, [raw = ""]) => {
      const name = await target(request, raw);
      const { Tags } = parseBody(tagInput, request.body);
      await functions.updateMetadata(name, (current) => {
        const tags = { ...current.tags, ...Tags };
        validateTags(tags);
        return { ...current, tags };
      });
      return empty(204);
    })
    .on("DELETE", "/2017-03-31/tags/{arn}", async (request, [raw = ""]) => {
      const name = await target(request, raw);
      const keys = request.query.getAll("tagKeys");
      if (keys.length === 0) throw invalidParameter("tagKeys is required: name at least one tag key to remove.");
      await functions.updateMetadata(name, (current) => ({ ...current, tags: Object.fromEntries(Object.entries(current.tags).filter(([key]) => !keys.includes(key))) }));
      return empty(204);
    })
    .on("GET", "/2017-03-31/tags/{arn}", async (request, [raw = ""]) => json(200, { Tags: (await functions.get(await target(request, raw))).tags }));
}
