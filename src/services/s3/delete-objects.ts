/** DeleteObjects: up to 1,000 keys in one request, each answered as Deleted (or Error), quiet mode honoured. */
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { announce, eventsFor, requireBucket, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { listOf, parseXml, text, xmlResponse } from "./xml.js";

export async function deleteObjects(context: S3Context, request: UnkaiRequest, bucketName: string): Promise<UnkaiResponse> {
  const bucket = await requireBucket(context, bucketName);
  const document = parseXml(request.body, "Delete");
  const keys = listOf(document.Object).map((o) => text(o.Key));
  if (keys.length === 0 || keys.length > 1000 || keys.includes("")) {
    throw new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: name 1 to 1000 objects, each with a Key.");
  }
  const { removed, events } = await context.commit({
    deleteObjects: { bucket: bucketName, keys },
    events: ({ removed: gone }) => gone.flatMap((o) => eventsFor(context, bucket, { eventName: "ObjectRemoved:Delete", key: o.key }, request)),
  });
  await announce(context, bucket, removed.map((o) => ({ eventName: "ObjectRemoved:Delete", key: o.key })), events, request);
  for (const object of removed) await context.bodies.remove(object.blob);
  const quiet = text(document.Quiet).toLowerCase() === "true";
  // Deleting a key that does not exist succeeds, as in S3.
  return xmlResponse("DeleteResult", quiet ? {} : { Deleted: keys.map((key) => ({ Key: key })) });
}
