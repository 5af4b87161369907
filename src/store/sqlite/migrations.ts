/** Numbered schema migrations for the SQLite backend; applied in order, each once, recorded in user_version. */
export const MIGRATIONS: readonly string[] = [
  // 1: functions, invocation records, logs
  `
  CREATE TABLE functions (
    name TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    revision_id TEXT NOT NULL,
    code_size INTEGER NOT NULL,
    reserved_concurrency INTEGER
  ) STRICT;

  CREATE TABLE invocations (
    request_id TEXT PRIMARY KEY,
    function_name TEXT NOT NULL,
    version TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    billed_duration_ms INTEGER NOT NULL,
    init_duration_ms REAL,
    cold_start INTEGER NOT NULL,
    memory_size_mb INTEGER NOT NULL,
    max_memory_used_mb INTEGER NOT NULL,
    status TEXT NOT NULL,
    error_type TEXT,
    log_stream TEXT
  ) STRICT;
  CREATE INDEX invocations_by_function ON invocations (function_name, started_at);

  CREATE TABLE log_streams (
    log_group TEXT NOT NULL,
    log_stream TEXT NOT NULL,
    creation_time INTEGER NOT NULL,
    first_event INTEGER,
    last_event INTEGER,
    stored_bytes INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (log_group, log_stream)
  ) STRICT;

  CREATE TABLE log_events (
    id INTEGER PRIMARY KEY,
    log_group TEXT NOT NULL,
    log_stream TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    ingestion_time INTEGER NOT NULL,
    message TEXT NOT NULL
  ) STRICT;
  CREATE INDEX log_events_by_group ON log_events (log_group, id);
  `,
  // 2: asynchronous invocation: the durable event queue and per-function event invoke configs
  `
  CREATE TABLE async_events (
    id TEXT PRIMARY KEY,
    function_name TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    payload BLOB NOT NULL,
    enqueued_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    throttles INTEGER NOT NULL DEFAULT 0,
    available_at INTEGER NOT NULL,
    lease_until INTEGER,
    status TEXT NOT NULL DEFAULT 'queued',
    failure TEXT
  ) STRICT;
  CREATE INDEX async_events_ready ON async_events (status, available_at);
  CREATE INDEX async_events_by_function ON async_events (function_name, status);

  CREATE TABLE event_invoke_configs (
    function_name TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (function_name, qualifier)
  ) STRICT;
  `,
  // 3: published versions and aliases
  `
  CREATE TABLE function_versions (
    function_name TEXT NOT NULL,
    version INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (function_name, version)
  ) STRICT;

  CREATE TABLE aliases (
    function_name TEXT NOT NULL,
    name TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (function_name, name)
  ) STRICT;
  `,
  // 4: layer versions
  `
  CREATE TABLE layer_versions (
    layer_name TEXT NOT NULL,
    version INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (layer_name, version)
  ) STRICT;
  CREATE TABLE layer_counters (
    layer_name TEXT PRIMARY KEY,
    last_version INTEGER NOT NULL
  ) STRICT;
  `,
  // 5: the API gateway: HTTP APIs and REST APIs (one JSON document each), Function URL configs
  `
  CREATE TABLE http_apis (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  CREATE TABLE rest_apis (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  CREATE TABLE function_urls (
    function_name TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    url_id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL,
    PRIMARY KEY (function_name, qualifier)
  ) STRICT;
  `,
  // 6: S3 buckets, object metadata, multipart uploads and their parts (bodies live in files)
  `
  CREATE TABLE s3_buckets (
    name TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    notification TEXT
  ) STRICT;
  CREATE TABLE s3_objects (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    blob TEXT NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    headers TEXT NOT NULL,
    PRIMARY KEY (bucket, key)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX s3_objects_by_blob ON s3_objects (blob);
  CREATE TABLE s3_uploads (
    upload_id TEXT PRIMARY KEY,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    initiated INTEGER NOT NULL,
    headers TEXT NOT NULL
  ) STRICT;
  CREATE INDEX s3_uploads_by_key ON s3_uploads (bucket, key, upload_id);
  CREATE TABLE s3_parts (
    upload_id TEXT NOT NULL,
    part_number INTEGER NOT NULL,
    etag TEXT NOT NULL,
    size INTEGER NOT NULL,
    last_modified INTEGER NOT NULL,
    PRIMARY KEY (upload_id, part_number)
  ) STRICT;
  `,
  // 7: access keys for SigV4 (secrets as given: verifying a signature needs them; unkai.db is mode 0600)
  `
  CREATE TABLE IF NOT EXISTS access_keys (
    access_key_id TEXT PRIMARY KEY,
    secret_access_key TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  `,
  // 8: the console's saved test events, per function
  `
  CREATE TABLE test_events (
    function_name TEXT NOT NULL,
    name TEXT NOT NULL,
    event TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (function_name, name)
  ) STRICT;
  CREATE INDEX invocations_by_start ON invocations (started_at);
  `,
  // 9: log groups as rows (retention, a running byte total per group), stream byte totals counted
  // as CloudWatch does (UTF-8 message + 26 bytes per event), an index for the retention sweep
  `
  CREATE TABLE log_groups (
    name TEXT PRIMARY KEY,
    creation_time INTEGER NOT NULL,
    retention_days INTEGER,
    stored_bytes INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  UPDATE log_streams SET stored_bytes = 0;
  UPDATE log_streams SET stored_bytes = totals.bytes
    FROM (SELECT log_group, log_stream, SUM(length(CAST(message AS BLOB)) + 26) AS bytes FROM log_events GROUP BY log_group, log_stream) AS totals
    WHERE totals.log_group = log_streams.log_group AND totals.log_stream = log_streams.log_stream;
  INSERT INTO log_groups (name, creation_time, stored_bytes)
    SELECT log_group, MIN(creation_time), SUM(stored_bytes) FROM log_streams GROUP BY log_group;
  CREATE INDEX log_events_by_time ON log_events (log_group, timestamp);
  `,
  // 10: a fencing token per event: every lease bumps it, acknowledgements must carry the current one
  `
  ALTER TABLE async_events ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
  `,
  // 11: schedule timers (EventBridge scheduled rules, Scheduler schedules): next firing and lease;
  // EventBridge's buses and rules as documents (the gateway's document table shape)
  `
  CREATE TABLE schedule_timers (
    id TEXT PRIMARY KEY,
    next_fire_at INTEGER,
    lease_owner TEXT,
    lease_until INTEGER,
    lease_counter INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE INDEX schedule_timers_due ON schedule_timers (next_fire_at) WHERE next_fire_at IS NOT NULL;
  CREATE TABLE event_buses (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  CREATE TABLE event_rules (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  `,
  // 12: DynamoDB tables and items; keys are the service's order-preserving encodings (BLOBs compare by memcmp)
  `
  CREATE TABLE dynamodb_tables (
    name TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    definition TEXT NOT NULL
  ) STRICT;
  CREATE TABLE dynamodb_items (
    table_name TEXT NOT NULL,
    partition_key BLOB NOT NULL,
    sort_key BLOB NOT NULL,
    item TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (table_name, partition_key, sort_key)
  ) STRICT, WITHOUT ROWID;
  `,
  // 13: CloudWatch Logs metric filters (transformations as JSON) and the metric data points they yield
  `
  CREATE TABLE metric_filters (
    log_group TEXT NOT NULL,
    filter_name TEXT NOT NULL,
    filter_pattern TEXT NOT NULL,
    transformations TEXT NOT NULL,
    metric_namespace TEXT NOT NULL,
    metric_name TEXT NOT NULL,
    creation_time INTEGER NOT NULL,
    PRIMARY KEY (log_group, filter_name)
  ) STRICT;
  CREATE TABLE metric_data (
    id INTEGER PRIMARY KEY,
    namespace TEXT NOT NULL,
    metric_name TEXT NOT NULL,
    dimensions TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    value REAL NOT NULL,
    unit TEXT
  ) STRICT;
  CREATE INDEX metric_data_by_metric ON metric_data (namespace, metric_name, timestamp);
  `,
  // 14: SQS queues (attributes and tags as JSON, a per-queue message counter), their messages, and the
  // deduplication ids FIFO queues remember for five minutes (kept after their message is deleted), and
  // Lambda's event source mappings as documents (the id column keeps the document stores' name)
  `
  CREATE TABLE sqs_queues (
    name TEXT PRIMARY KEY,
    fifo INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE TABLE sqs_messages (
    queue TEXT NOT NULL,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    meta TEXT NOT NULL,
    group_id TEXT,
    sent_at INTEGER NOT NULL,
    visible_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_received_at INTEGER,
    receipt TEXT,
    PRIMARY KEY (queue, seq)
  ) STRICT;
  CREATE INDEX sqs_messages_by_visibility ON sqs_messages (queue, visible_at);
  CREATE INDEX sqs_messages_by_group ON sqs_messages (queue, group_id, visible_at);
  CREATE TABLE event_source_mappings (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  CREATE TABLE sqs_dedup (
    queue TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    message_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (queue, dedup_key)
  ) STRICT;
  `,
  // 15: IAM users, roles and customer managed policies (names unique ignoring case, as in IAM),
  // their inline policies and managed-policy attachments
  `
  CREATE TABLE iam_entities (
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    id TEXT NOT NULL,
    arn TEXT NOT NULL,
    path TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    document TEXT,
    description TEXT,
    max_session_seconds INTEGER,
    PRIMARY KEY (kind, name_key)
  ) STRICT;
  CREATE TABLE iam_inline_policies (
    kind TEXT NOT NULL,
    principal_key TEXT NOT NULL,
    policy_name TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (kind, principal_key, policy_name)
  ) STRICT;
  CREATE TABLE iam_attachments (
    kind TEXT NOT NULL,
    principal_key TEXT NOT NULL,
    policy_arn TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (kind, principal_key, policy_arn)
  ) STRICT;
  `,
  // 16: EventBridge deliveries to message targets (SQS, SNS, …) that failed and wait for a retry
  // (src/async/delivery-outbox.ts), one JSON document each
  `
  CREATE TABLE event_deliveries (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  `,
  // 17: SNS topics and subscriptions as documents (the id column keeps the document stores' name)
  `
  CREATE TABLE sns_topics (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  CREATE TABLE sns_subscriptions (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  `,
  // 18: CloudWatch statistic sets (PutMetricData's StatisticValues, Values with Counts) on a data point,
  // and the index retention pruning walks
  `
  ALTER TABLE metric_data ADD COLUMN stats TEXT;
  CREATE INDEX metric_data_by_time ON metric_data (timestamp);
  `,
  // 19: CloudWatch alarms (definition and state as JSON), their history, and the one-row lease of the node that evaluates them
  `
  CREATE TABLE cloudwatch_alarms (
    name TEXT PRIMARY KEY,
    document TEXT NOT NULL
  ) STRICT;
  CREATE TABLE cloudwatch_alarm_history (
    id INTEGER PRIMARY KEY,
    alarm_name TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    type TEXT NOT NULL,
    document TEXT NOT NULL
  ) STRICT;
  CREATE INDEX cloudwatch_alarm_history_by_time ON cloudwatch_alarm_history (timestamp);
  CREATE TABLE cloudwatch_alarm_evaluator (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    owner TEXT NOT NULL,
    lease_until INTEGER NOT NULL
  ) STRICT;
  `,
  // 20: what a completed multipart upload leaves on its object: the upload's id (a repeated
  // CompleteMultipartUpload is answered again) and its part sizes (GET/HEAD ?partNumber=); object tags
  `
  ALTER TABLE s3_objects ADD COLUMN upload_id TEXT;
  ALTER TABLE s3_objects ADD COLUMN part_sizes TEXT;
  ALTER TABLE s3_objects ADD COLUMN tags TEXT;
  `,
  // 21: access keys of IAM users (IAM CreateAccessKey); NULL for the account root's keys (`unkai keys`)
  `
  ALTER TABLE access_keys ADD COLUMN user_name TEXT;
  `,
  // 22: DynamoDB stream records, numbered per stream by a counter that trimming never resets
  `
  CREATE TABLE dynamodb_stream_sequences (
    stream TEXT PRIMARY KEY,
    table_name TEXT NOT NULL,
    last INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE dynamodb_stream_records (
    stream TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    table_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (stream, sequence)
  ) STRICT;
  CREATE INDEX dynamodb_stream_records_by_age ON dynamodb_stream_records (created_at);
  `,
  // 23: who polls each stream shard of an event source mapping, and its position (one node: always this one)
  `
  CREATE TABLE shard_leases (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    lease_until INTEGER NOT NULL,
    token INTEGER NOT NULL,
    position INTEGER
  ) STRICT;
  `,
  // 24: S3 bucket policies, CORS rules and bucket tags as documents, one per bucket and kind
  `
  CREATE TABLE s3_bucket_settings (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  `,
  // 25: CloudWatch Logs subscription filters, one document per log group
  `
  CREATE TABLE log_subscriptions (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  `,
  // 26: S3 versioning: the bucket's state, each current row's version (id, NULL for the `null`
  // version; the sequence that orders a key's versions; whether it is a delete marker) and the
  // noncurrent versions, kept apart so reads of current objects stay as they were
  `
  ALTER TABLE s3_buckets ADD COLUMN versioning TEXT;
  ALTER TABLE s3_objects ADD COLUMN version_id TEXT;
  ALTER TABLE s3_objects ADD COLUMN sequence TEXT NOT NULL DEFAULT '';
  ALTER TABLE s3_objects ADD COLUMN delete_marker INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE s3_object_versions (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    blob TEXT NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    headers TEXT NOT NULL,
    upload_id TEXT,
    part_sizes TEXT,
    tags TEXT,
    version_id TEXT,
    sequence TEXT NOT NULL,
    delete_marker INTEGER NOT NULL,
    PRIMARY KEY (bucket, key, sequence)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX s3_object_versions_by_blob ON s3_object_versions (blob);
  `,
  // 27: SNS http/https deliveries waiting for a retry (documents; their due times are schedule
  // timers), FIFO topics' deduplication ids over their window and their sequence counters
  `
  CREATE TABLE sns_http_deliveries (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  CREATE TABLE sns_deduplication (
    topic_arn TEXT NOT NULL,
    deduplication_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (topic_arn, deduplication_id)
  ) STRICT;
  CREATE INDEX sns_deduplication_by_expiry ON sns_deduplication (expires_at);
  CREATE TABLE sns_fifo_sequences (
    topic_arn TEXT PRIMARY KEY,
    last INTEGER NOT NULL
  ) STRICT;
  `,
  // 28: EventBridge Scheduler: schedule groups by name, schedules by `<group>/<name>`, and deliveries
  // that failed and wait for a retry (src/async/delivery-outbox.ts), one JSON document each
  `
  CREATE TABLE scheduler_groups (api_id TEXT PRIMARY KEY, record TEXT NOT NULL) STRICT;
  CREATE TABLE scheduler_schedules (api_id TEXT PRIMARY KEY, record TEXT NOT NULL) STRICT;
  CREATE TABLE scheduler_deliveries (api_id TEXT PRIMARY KEY, record TEXT NOT NULL) STRICT;
  `,
  // 29: IAM groups' members, users' and roles' tags, customer managed policies' versions (the default's document stays in
  // iam_entities), and access keys' status and last use
  `
  CREATE TABLE iam_group_members (
    group_key TEXT NOT NULL,
    user_key TEXT NOT NULL,
    PRIMARY KEY (group_key, user_key)
  ) STRICT;
  CREATE INDEX iam_group_members_by_user ON iam_group_members (user_key);
  CREATE TABLE iam_policy_versions (
    policy_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    document TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (policy_key, seq)
  ) STRICT;
  ALTER TABLE iam_entities ADD COLUMN default_version TEXT;
  ALTER TABLE iam_entities ADD COLUMN tags TEXT;
  -- version_seq: the last version number a policy gave out (IAM never reuses one, even once deleted)
  ALTER TABLE iam_entities ADD COLUMN version_seq INTEGER;
  UPDATE iam_entities SET default_version = 'v1', version_seq = 1 WHERE kind = 'policy';
  INSERT INTO iam_policy_versions (policy_key, seq, document, created_at)
    SELECT name_key, 1, COALESCE(document, ''), created_at FROM iam_entities WHERE kind = 'policy';
  ALTER TABLE access_keys ADD COLUMN status TEXT;
  ALTER TABLE access_keys ADD COLUMN last_used_at INTEGER;
  ALTER TABLE access_keys ADD COLUMN last_used_service TEXT;
  ALTER TABLE access_keys ADD COLUMN last_used_region TEXT;
  `,
  // 30: EventBridge API destinations: connections (their secrets included) and API destinations, by name
  `
  CREATE TABLE event_connections (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  CREATE TABLE event_api_destinations (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  `,
  // 31: SQS message move tasks, by task handle (they outlive a restart and are seen by every node)
  `
  CREATE TABLE sqs_move_tasks (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  `,
  // 32: DynamoDB Streams' shard rollovers: where each shard after the first starts
  `
  CREATE TABLE dynamodb_stream_shards (
    stream TEXT NOT NULL,
    shard_index INTEGER NOT NULL,
    table_name TEXT NOT NULL,
    starting_sequence INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    PRIMARY KEY (stream, shard_index)
  ) STRICT;
  `,
  // 33: IAM instance profiles, one document per profile by lower-cased name (IAM names are unique ignoring case);
  // users' and roles' permissions boundaries (a managed policy's ARN)
  `
  CREATE TABLE iam_instance_profiles (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  ALTER TABLE iam_entities ADD COLUMN permissions_boundary TEXT;
  `,
  // 34: S3 parts' additional checksums (x-amz-checksum-<algorithm> on UploadPart: ListParts answers them, Complete combines them); a multipart object's parts' checksums (GetObjectAttributes ObjectParts)
  `
  ALTER TABLE s3_parts ADD COLUMN checksum_algorithm TEXT;
  ALTER TABLE s3_parts ADD COLUMN checksum TEXT;
  ALTER TABLE s3_objects ADD COLUMN part_checksums TEXT;
  ALTER TABLE s3_object_versions ADD COLUMN part_checksums TEXT;
  `,
  // 35: DynamoDB transactions' client request tokens (stored with the transaction's writes; kept 10 minutes);
  // deleted tables' streams, kept readable for 24 hours
  `
  CREATE TABLE dynamodb_client_tokens (
    token TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX dynamodb_client_tokens_by_expiry ON dynamodb_client_tokens (expires_at);
  CREATE TABLE dynamodb_retired_streams (
    stream TEXT PRIMARY KEY,
    table_name TEXT NOT NULL,
    table_created_at INTEGER NOT NULL,
    definition TEXT NOT NULL,
    retired_at INTEGER NOT NULL
  ) STRICT;
  `,
  // 36: S3 notifications to queues, topics and the default event bus, written in the object change's own
  // transaction and deleted once delivered (src/async/delivery-outbox.ts), one JSON document each
  `
  CREATE TABLE s3_deliveries (api_id TEXT PRIMARY KEY, record TEXT NOT NULL) STRICT;
  `,
  // 37: STS AssumeRole sessions' credentials until they expire (they outlive a restart), swept once expired
  `
  CREATE TABLE sts_sessions (
    access_key_id TEXT PRIMARY KEY,
    secret_access_key TEXT NOT NULL,
    session_token TEXT NOT NULL,
    principal TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX sts_sessions_by_expiry ON sts_sessions (expires_at);
  `,
  // 38: Kinesis Data Streams: the streams by ARN (documents), their records by per-stream sequence number
  // (read by shard, trimmed by age), each stream's sequence counter, and its shards closed by resharding
  `
  CREATE TABLE kinesis_streams (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  CREATE TABLE kinesis_records (
    stream TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    shard INTEGER NOT NULL,
    partition_key TEXT NOT NULL,
    data BLOB NOT NULL,
    arrived_at INTEGER NOT NULL,
    PRIMARY KEY (stream, sequence)
  ) STRICT;
  CREATE INDEX kinesis_records_by_shard ON kinesis_records (stream, shard, sequence);
  CREATE INDEX kinesis_records_by_age ON kinesis_records (stream, arrived_at);
  CREATE TABLE kinesis_sequences (
    stream TEXT PRIMARY KEY,
    last INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE kinesis_closed_shards (
    stream TEXT NOT NULL,
    shard INTEGER NOT NULL,
    PRIMARY KEY (stream, shard)
  ) STRICT;
  `,
  // 39: DynamoDB secondary index entries: each item's index key bytes per index, so an index read finds
  // its items without walking the table (the item's own key joins the entry to its row)
  `
  CREATE TABLE dynamodb_index_entries (
    table_name TEXT NOT NULL,
    index_name TEXT NOT NULL,
    partition_key BLOB NOT NULL,
    sort_key BLOB NOT NULL,
    item_partition_key BLOB NOT NULL,
    item_sort_key BLOB NOT NULL,
    PRIMARY KEY (table_name, index_name, partition_key, sort_key, item_partition_key, item_sort_key)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX dynamodb_index_entries_by_item ON dynamodb_index_entries (table_name, item_partition_key, item_sort_key);
  `,
  // 40: when each Kinesis shard was closed by resharding, so a closure an interrupted resharding left can be
  // told from one in progress (src/services/kinesis/reshard.ts); closures made before this count as old
  `
  ALTER TABLE kinesis_closed_shards ADD COLUMN closed_at INTEGER NOT NULL DEFAULT 0;
  `,
  // 41: REST APIs' API keys, the key of each key value (by its SHA-256), and usage plans (src/core/api-keys.ts)
  `
  CREATE TABLE apigateway_api_keys (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  CREATE TABLE apigateway_api_key_values (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  CREATE TABLE apigateway_usage_plans (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  `,
  // 42: DynamoDB on-demand backups as documents by backup ARN (their items are blobs: services/dynamodb/backup-items.ts)
  `
  CREATE TABLE dynamodb_backups (api_id TEXT PRIMARY KEY, record TEXT NOT NULL) STRICT;
  `,
  // 43: DynamoDB exports to S3 and imports from S3, one document per export or import by its ARN
  `
  CREATE TABLE dynamodb_exports (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  CREATE TABLE dynamodb_imports (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  `,
  // 44: CloudWatch Logs log groups' tags, a JSON object (NULL: none); they go with the group's row
  `
  ALTER TABLE log_groups ADD COLUMN tags TEXT;
  `,
  // 45: CloudWatch dashboards, one document per dashboard by its name (src/services/cloudwatch/dashboards.ts)
  `
  CREATE TABLE cloudwatch_dashboards (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT;
  `,
  // 46: EventBridge archives and replays as documents by name, and the archived events by archive and
  // event time (a replay's window) and by archive and arrival (retention); src/services/events/archives.ts
  `
  CREATE TABLE event_archives (api_id TEXT PRIMARY KEY, record TEXT NOT NULL) STRICT;
  CREATE TABLE event_replays (api_id TEXT PRIMARY KEY, record TEXT NOT NULL) STRICT;
  CREATE TABLE archived_events (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    archive TEXT NOT NULL,
    event_time INTEGER NOT NULL,
    archived_at INTEGER NOT NULL,
    size INTEGER NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  CREATE INDEX archived_events_by_time ON archived_events (archive, event_time, sequence);
  CREATE INDEX archived_events_by_arrival ON archived_events (archive, archived_at);
  `,
];
