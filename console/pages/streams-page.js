/**
 * Kinesis data streams: the list with open shards and retention, create and delete; one stream's page
 * shows its shards (open and closed, with their parents), puts a record, and reads each shard's
 * records from its start (data shown as text).
 */
import {
  CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand,
  ListStreamsCommand, PutRecordCommand,
} from "@aws-sdk/client-kinesis";
import { kinesis } from "../api.js";
import { errorBox, h, replace, runAction, toast } from "../dom.js";

/** Records a shard's read shows at most. */
const READ_LIMIT = 100;

async function listAllStreams() {
  const names = [];
  let NextToken;
  do {
    const page = await kinesis().send(new ListStreamsCommand({ NextToken }));
    names.push(...(page.StreamNames ?? []));
    NextToken = page.HasMoreStreams ? page.NextToken : undefined;
  } while (NextToken);
  return names;
}

const summaryOf = async (StreamName) => (await kinesis().send(new DescribeStreamSummaryCommand({ StreamName }))).StreamDescriptionSummary ?? {};

export async function streamsPage(container) {
  const errors = errorBox();
  const body = h("tbody");
  const name = h("input", { name: "stream-name", placeholder: "clicks", "aria-label": "New stream name", required: true, pattern: "[A-Za-z0-9_.-]{1,128}" });
  const shards = h("input", { name: "shard-count", type: "number", min: 1, max: 100, value: 1, "aria-label": "Shard count" });
  const create = (event) => {
    event.preventDefault();
    const StreamName = name.value.trim();
    return runAction(errors, async () => {
      await kinesis().send(new CreateStreamCommand({ StreamName, ShardCount: Number(shards.value) }));
      name.value = "";
    }, load, `Created ${StreamName}.`);
  };
  replace(container,
    h("div", { class: "page-head" }, h("h1", {}, "Streams")),
    h("form", { class: "toolbar", id: "create-stream", onsubmit: create }, name, shards, h("button", { class: "primary", type: "submit" }, "Create stream"),
      h("span", { class: "hint" }, "Kinesis data streams; records are kept for the stream's retention.")),
    errors.el,
    h("table", { class: "list", id: "streams-table" },
      h("thead", {}, h("tr", {}, ["Stream", "Mode", "Open shards", "Retention", ""].map((c) => h("th", {}, c)))), body));

  async function load() {
    try {
      const rows = await Promise.all((await listAllStreams()).map(async (stream) => ({ stream, summary: await summaryOf(stream) })));
      errors.clear();
      if (rows.length === 0) return void replace(body, h("tr", {}, h("td", { colspan: 5, class: "empty" }, "No streams yet: create one.")));
      replace(body, rows.map(({ stream, summary }) => h("tr", { "data-stream": stream },
        h("td", {}, h("a", { href: `#/streams/${encodeURIComponent(stream)}` }, stream)),
        h("td", {}, summary.StreamModeDetails?.StreamMode ?? ""),
        h("td", { class: "num" }, String(summary.OpenShardCount ?? 0)),
        h("td", { class: "num" }, `${summary.RetentionPeriodHours ?? 24} h`),
        h("td", {}, h("button", { class: "link danger", onclick: () => void remove(stream) }, "Delete")))));
    } catch (error) {
      errors.show(error);
    }
  }

  async function remove(StreamName) {
    if (!confirm(`Delete stream ${StreamName} and every record in it?`)) return;
    await runAction(errors, () => kinesis().send(new DeleteStreamCommand({ StreamName })), load, `Deleted ${StreamName}.`);
  }

  await load();
}

const decoder = new TextDecoder();

/** One record as a shard's read shows it: sequence number, partition key, arrival and the data as text. */
function recordRow(record) {
  return h("tr", { "data-sequence": record.SequenceNumber },
    h("td", { class: "mono" }, record.SequenceNumber),
    h("td", { class: "mono" }, record.PartitionKey),
    h("td", {}, record.ApproximateArrivalTimestamp ? new Date(record.ApproximateArrivalTimestamp).toLocaleString() : ""),
    h("td", {}, h("pre", { class: "message-body" }, decoder.decode(record.Data ?? new Uint8Array()))));
}

export async function streamPage(container, streamName) {
  const errors = errorBox();
  const facts = h("div", { class: "facts", id: "stream-facts" });
  const shardRows = h("tbody");
  const records = h("tbody");
  const key = h("input", { name: "partition-key", placeholder: "Partition key", "aria-label": "Partition key", required: true });
  const data = h("textarea", { name: "record-data", rows: 4, "aria-label": "Record data", class: "mono" });

  const show = async () => {
    const summary = await summaryOf(streamName);
    replace(facts, h("span", {}, summary.StreamModeDetails?.StreamMode ?? ""), h("span", {}, `Open shards: ${summary.OpenShardCount ?? 0}`),
      h("span", {}, `Retention: ${summary.RetentionPeriodHours ?? 24} h`), h("span", { title: summary.StreamARN }, summary.StreamARN ?? ""));
    const listed = (await kinesis().send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
    replace(shardRows, listed.map((shard) => h("tr", { "data-shard": shard.ShardId },
      h("td", { class: "mono" }, shard.ShardId),
      h("td", {}, shard.SequenceNumberRange?.EndingSequenceNumber ? "Closed" : "Open"),
      h("td", { class: "mono" }, [shard.ParentShardId, shard.AdjacentParentShardId].filter(Boolean).join(", ") || "–"),
      h("td", { class: "mono" }, `${shard.HashKeyRange?.StartingHashKey ?? ""} – ${shard.HashKeyRange?.EndingHashKey ?? ""}`),
      h("td", {}, h("button", { class: "link", onclick: () => void read(shard.ShardId) }, "Read")))));
  };
  const act = (work) => runAction(errors, work, () => show());
  const put = (event) => {
    event.preventDefault();
    return act(async () => {
      const out = await kinesis().send(new PutRecordCommand({ StreamName: streamName, PartitionKey: key.value, Data: new TextEncoder().encode(data.value) }));
      toast(`Put record ${out.SequenceNumber} on ${out.ShardId}.`);
      data.value = "";
    });
  };
  // Reads the shard from its start, up to READ_LIMIT records (a read moves nothing: Kinesis readers keep their own positions).
  const read = (ShardId) => act(async () => {
    const { ShardIterator } = await kinesis().send(new GetShardIteratorCommand({ StreamName: streamName, ShardId, ShardIteratorType: "TRIM_HORIZON" }));
    const got = await kinesis().send(new GetRecordsCommand({ ShardIterator, Limit: READ_LIMIT }));
    const list = got.Records ?? [];
    replace(records, list.length ? list.map(recordRow) : h("tr", {}, h("td", { colspan: 4, class: "empty" }, `No records in ${ShardId}.`)));
  });

  replace(container,
    h("div", { class: "page-head" },
      h("div", {}, h("div", { class: "crumbs" }, h("a", { href: "#/streams" }, "Streams"), " / "), h("h1", {}, streamName)),
      h("span", { class: "spacer" }), facts),
    errors.el,
    h("form", { class: "card form", id: "put-record", onsubmit: put },
      h("h3", {}, "Put a record"), key, data, h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Put"))),
    h("div", { class: "card" },
      h("h3", {}, "Shards"),
      h("table", { class: "list", id: "shards-table" },
        h("thead", {}, h("tr", {}, ["Shard", "State", "Parents", "Hash keys", ""].map((c) => h("th", {}, c)))), shardRows)),
    h("div", { class: "card" },
      h("h3", {}, "Records"),
      h("table", { class: "list", id: "records-table" },
        h("thead", {}, h("tr", {}, ["Sequence number", "Partition key", "Arrived", "Data"].map((c) => h("th", {}, c)))), records)));
  await show();
}
