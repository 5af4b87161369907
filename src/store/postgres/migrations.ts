/**
 * Numbered schema migrations for the PostgreSQL backend (numbered on their own: SQLite's are in
 * ../sqlite/migrations.ts). Applied in order, each once, recorded in unkai_migrations.
 * Text that is sorted or compared by range (names, keys) is `COLLATE "C"`: byte order, the same
 * as SQLite's and S3's (UTF-8 byte order), whatever the database's default collation is.
 * Records are JSON kept as text (not jsonb): jsonb refuses the \u0000 escape a record may contain.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: everything the SQLite backend had at its migration 10, in one step
  `
  CREATE TABLE functions (
    name TEXT COLLATE "C" PRIMARY KEY,
    record TEXT NOT NULL,
    revision_id TEXT NOT NULL,
    code_size BIGINT NOT NULL,
    reserved_concurrency INTEGER
  );

  CREATE TABLE invocations (
    request_id TEXT PRIMARY KEY,
    function_name TEXT COLLATE "C" NOT NULL,
    version TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    duration_ms DOUBLE PRECISION NOT NULL,
    billed_duration_ms BIGINT NOT NULL,
    init_duration_ms DOUBLE PRECISION,
    cold_start BOOLEAN NOT NULL,
    memory_size_mb INTEGER NOT NULL,
    max_memory_used_mb INTEGER NOT NULL,
    status TEXT NOT NULL,
    error_type TEXT,
    log_stream TEXT
  );
  CREATE INDEX invocations_by_function ON invocations (function_name, started_at);
  CREATE INDEX invocations_by_start ON invocations (started_at);

  CREATE TABLE log_groups (
    name TEXT COLLATE "C" PRIMARY KEY,
    creation_time BIGINT NOT NULL,
    retention_days INTEGER,
    stored_bytes BIGINT NOT NULL DEFAULT 0
  );
  CREATE TABLE log_streams (
    log_group TEXT COLLATE "C" NOT NULL,
    log_stream TEXT COLLATE "C" NOT NULL,
    creation_time BIGINT NOT NULL,
    first_event BIGINT,
    last_event BIGINT,
    stored_bytes BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (log_group, log_stream)
  );
  CREATE TABLE log_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    log_group TEXT COLLATE "C" NOT NULL,
    log_stream TEXT COLLATE "C" NOT NULL,
    timestamp BIGINT NOT NULL,
    ingestion_time BIGINT NOT NULL,
    message TEXT NOT NULL
  );
  CREATE INDEX log_events_by_group ON log_events (log_group, id);
  CREATE INDEX log_events_by_time ON log_events (log_group, timestamp);

  CREATE TABLE async_events (
    id TEXT PRIMARY KEY,
    function_name TEXT COLLATE "C" NOT NULL,
    qualifier TEXT NOT NULL,
    payload BYTEA NOT NULL,
    enqueued_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    throttles INTEGER NOT NULL DEFAULT 0,
    available_at BIGINT NOT NULL,
    lease_until BIGINT,
    lease_token BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'queued',
    failure TEXT
  );
  CREATE INDEX async_events_ready ON async_events (status, available_at);
  CREATE INDEX async_events_by_function ON async_events (function_name, status);

  CREATE TABLE event_invoke_configs (
    function_name TEXT COLLATE "C" NOT NULL,
    qualifier TEXT COLLATE "C" NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (function_name, qualifier)
  );

  CREATE TABLE function_versions (
    function_name TEXT COLLATE "C" NOT NULL,
    version INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (function_name, version)
  );
  CREATE TABLE aliases (
    function_name TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    revision_id TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (function_name, name)
  );

  CREATE TABLE layer_versions (
    layer_name TEXT COLLATE "C" NOT NULL,
    version INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (layer_name, version)
  );
  CREATE TABLE layer_counters (
    layer_name TEXT COLLATE "C" PRIMARY KEY,
    last_version INTEGER NOT NULL
  );

  CREATE TABLE http_apis (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE rest_apis (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE function_urls (
    function_name TEXT COLLATE "C" NOT NULL,
    qualifier TEXT COLLATE "C" NOT NULL,
    url_id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL,
    PRIMARY KEY (function_name, qualifier)
  );

  CREATE TABLE s3_buckets (
    name TEXT COLLATE "C" PRIMARY KEY,
    created_at BIGINT NOT NULL,
    notification TEXT
  );
  CREATE TABLE s3_objects (
    bucket TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    blob TEXT NOT NULL,
    size BIGINT NOT NULL,
    etag TEXT NOT NULL,
    last_modified BIGINT NOT NULL,
    headers TEXT NOT NULL,
    PRIMARY KEY (bucket, key)
  );
  CREATE INDEX s3_objects_by_blob ON s3_objects (blob);
  CREATE TABLE s3_uploads (
    upload_id TEXT COLLATE "C" PRIMARY KEY,
    bucket TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    initiated BIGINT NOT NULL,
    headers TEXT NOT NULL
  );
  CREATE INDEX s3_uploads_by_key ON s3_uploads (bucket, key, upload_id);
  CREATE TABLE s3_parts (
    upload_id TEXT NOT NULL,
    part_number INTEGER NOT NULL,
    etag TEXT NOT NULL,
    size BIGINT NOT NULL,
    last_modified BIGINT NOT NULL,
    PRIMARY KEY (upload_id, part_number)
  );

  CREATE TABLE access_keys (
    access_key_id TEXT COLLATE "C" PRIMARY KEY,
    secret_access_key TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );

  CREATE TABLE test_events (
    function_name TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    event TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (function_name, name)
  );
  `,
  // 2: schedule timers (EventBridge scheduled rules, Scheduler schedules) and EventBridge's buses and rules as documents
  `
  CREATE TABLE schedule_timers (
    id TEXT COLLATE "C" PRIMARY KEY,
    next_fire_at BIGINT,
    lease_owner TEXT,
    lease_until BIGINT,
    lease_counter BIGINT NOT NULL DEFAULT 0
  );
  CREATE INDEX schedule_timers_due ON schedule_timers (next_fire_at) WHERE next_fire_at IS NOT NULL;
  CREATE TABLE event_buses (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE event_rules (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  `,
  // 3: DynamoDB tables and items; keys are the service's order-preserving encodings (bytea compares as unsigned bytes)
  `
  CREATE TABLE dynamodb_tables (
    name TEXT COLLATE "C" PRIMARY KEY,
    created_at BIGINT NOT NULL,
    definition TEXT NOT NULL
  );
  CREATE TABLE dynamodb_items (
    table_name TEXT COLLATE "C" NOT NULL,
    partition_key BYTEA NOT NULL,
    sort_key BYTEA NOT NULL,
    item TEXT NOT NULL,
    size BIGINT NOT NULL,
    PRIMARY KEY (table_name, partition_key, sort_key)
  );
  `,
  // 4: CloudWatch Logs metric filters (transformations as JSON) and the metric data points they yield
  `
  CREATE TABLE metric_filters (
    log_group TEXT COLLATE "C" NOT NULL,
    filter_name TEXT COLLATE "C" NOT NULL,
    filter_pattern TEXT NOT NULL,
    transformations TEXT NOT NULL,
    metric_namespace TEXT COLLATE "C" NOT NULL,
    metric_name TEXT COLLATE "C" NOT NULL,
    creation_time BIGINT NOT NULL,
    PRIMARY KEY (log_group, filter_name)
  );
  CREATE TABLE metric_data (
    id BIGSERIAL PRIMARY KEY,
    namespace TEXT COLLATE "C" NOT NULL,
    metric_name TEXT COLLATE "C" NOT NULL,
    dimensions TEXT NOT NULL,
    timestamp BIGINT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    unit TEXT
  );
  CREATE INDEX metric_data_by_metric ON metric_data (namespace, metric_name, timestamp);
  `,
  // 5: SQS queues (a per-queue message counter), their messages, the deduplication ids FIFO queues remember
  // for five minutes, and Lambda's event source mappings as documents
  `
  CREATE TABLE sqs_queues (
    name TEXT COLLATE "C" PRIMARY KEY,
    fifo BOOLEAN NOT NULL,
    attributes TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    last_seq BIGINT NOT NULL DEFAULT 0
  );
  CREATE TABLE sqs_messages (
    queue TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    meta TEXT NOT NULL,
    group_id TEXT COLLATE "C",
    sent_at BIGINT NOT NULL,
    visible_at BIGINT NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_received_at BIGINT,
    receipt TEXT,
    PRIMARY KEY (queue, seq)
  );
  CREATE INDEX sqs_messages_by_visibility ON sqs_messages (queue, visible_at);
  CREATE INDEX sqs_messages_by_group ON sqs_messages (queue, group_id, visible_at);
  CREATE TABLE sqs_dedup (
    queue TEXT COLLATE "C" NOT NULL,
    dedup_key TEXT COLLATE "C" NOT NULL,
    message_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (queue, dedup_key)
  );
  CREATE TABLE event_source_mappings (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  `,
  // 6: IAM users, roles and customer managed policies (names unique ignoring case, as in IAM),
  // their inline policies and managed-policy attachments (seq keeps attachment order)
  `
  CREATE TABLE iam_entities (
    kind TEXT NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    id TEXT NOT NULL,
    arn TEXT NOT NULL,
    path TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    document TEXT,
    description TEXT,
    max_session_seconds INTEGER,
    PRIMARY KEY (kind, name_key)
  );
  CREATE TABLE iam_inline_policies (
    kind TEXT NOT NULL,
    principal_key TEXT COLLATE "C" NOT NULL,
    policy_name TEXT COLLATE "C" NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (kind, principal_key, policy_name)
  );
  CREATE TABLE iam_attachments (
    kind TEXT NOT NULL,
    principal_key TEXT COLLATE "C" NOT NULL,
    policy_arn TEXT COLLATE "C" NOT NULL,
    seq BIGSERIAL,
    PRIMARY KEY (kind, principal_key, policy_arn)
  );
  `,
  // 7: cluster mode — the node registry, lease owners on async events, and the change log every
  // node polls to drop cached functions another node changed (a trigger writes it, so no write path
  // can forget to). The counter row is locked until commit: changes commit in the order of `n`.
  `
  CREATE TABLE unkai_nodes (
    id TEXT COLLATE "C" PRIMARY KEY,
    address TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL
  );
  ALTER TABLE async_events ADD COLUMN lease_owner TEXT;
  CREATE TABLE unkai_change_counter (id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL);
  INSERT INTO unkai_change_counter VALUES (1, 0);
  CREATE TABLE unkai_changes (
    n BIGINT PRIMARY KEY,
    function_name TEXT NOT NULL,
    version TEXT,
    changed_at BIGINT NOT NULL
  );
  CREATE FUNCTION unkai_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    next BIGINT;
    fn TEXT;
    ver TEXT;
  BEGIN
    IF TG_TABLE_NAME = 'functions' AND TG_OP = 'DELETE' THEN
      fn := OLD.name;
    ELSIF TG_TABLE_NAME = 'functions' THEN
      fn := NEW.name;
    ELSE
      fn := OLD.function_name;
      ver := OLD.version::text;
    END IF;
    UPDATE unkai_change_counter SET n = n + 1 WHERE id = 1 RETURNING n INTO next;
    INSERT INTO unkai_changes VALUES (next, fn, ver, (extract(epoch FROM clock_timestamp()) * 1000)::bigint);
    RETURN NULL;
  END $$;
  CREATE TRIGGER functions_changed AFTER INSERT OR UPDATE OR DELETE ON functions FOR EACH ROW EXECUTE FUNCTION unkai_note_change();
  CREATE TRIGGER versions_deleted AFTER DELETE ON function_versions FOR EACH ROW EXECUTE FUNCTION unkai_note_change();
  `,
  // 8: concurrency slots across the cluster: one row per running invocation of a function with
  // reserved concurrency; a slot counts while its node is alive (its heartbeat is fresh)
  `
  CREATE TABLE unkai_slots (
    id TEXT COLLATE "C" PRIMARY KEY,
    function_name TEXT COLLATE "C" NOT NULL,
    node_id TEXT COLLATE "C" NOT NULL,
    taken_at BIGINT NOT NULL
  );
  CREATE INDEX unkai_slots_by_function ON unkai_slots (function_name);
  `,
  // 9: EventBridge deliveries to message targets (SQS, SNS, …) that failed and wait for a retry
  // (src/async/delivery-outbox.ts), one JSON document each
  `
  CREATE TABLE event_deliveries (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  `,
  // 10: SNS topics and subscriptions as documents
  `
  CREATE TABLE sns_topics (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE sns_subscriptions (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  `,
  // 11: CloudWatch statistic sets (PutMetricData's StatisticValues, Values with Counts) on a data point,
  // and the index retention pruning walks
  `
  ALTER TABLE metric_data ADD COLUMN stats TEXT;
  CREATE INDEX metric_data_by_time ON metric_data (timestamp);
  `,
  // 12: CloudWatch alarms (definition and state as JSON), their history, and the one-row lease of the node that evaluates them
  `
  CREATE TABLE cloudwatch_alarms (name TEXT COLLATE "C" PRIMARY KEY, document TEXT NOT NULL);
  CREATE TABLE cloudwatch_alarm_history (
    id BIGSERIAL PRIMARY KEY,
    alarm_name TEXT COLLATE "C" NOT NULL,
    timestamp BIGINT NOT NULL,
    type TEXT NOT NULL,
    document TEXT NOT NULL
  );
  CREATE INDEX cloudwatch_alarm_history_by_time ON cloudwatch_alarm_history (timestamp);
  CREATE TABLE cloudwatch_alarm_evaluator (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    owner TEXT NOT NULL,
    lease_until BIGINT NOT NULL
  );
  `,
  // 13: what a completed multipart upload leaves on its object (as SQLite's 20): the upload's id
  // and its part sizes; object tags
  `
  ALTER TABLE s3_objects ADD COLUMN upload_id TEXT COLLATE "C";
  ALTER TABLE s3_objects ADD COLUMN part_sizes TEXT;
  ALTER TABLE s3_objects ADD COLUMN tags TEXT;
  `,
  // 14: access keys of IAM users (IAM CreateAccessKey); NULL for the account root's keys (`unkai keys`)
  `
  ALTER TABLE access_keys ADD COLUMN user_name TEXT COLLATE "C";
  `,
  // 15: DynamoDB stream records, numbered per stream by a counter that trimming never resets (its row
  // lock orders a stream's appends by commit)
  `
  CREATE TABLE dynamodb_stream_sequences (
    stream TEXT COLLATE "C" PRIMARY KEY,
    table_name TEXT COLLATE "C" NOT NULL,
    last BIGINT NOT NULL
  );
  CREATE TABLE dynamodb_stream_records (
    stream TEXT COLLATE "C" NOT NULL,
    sequence BIGINT NOT NULL,
    table_name TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (stream, sequence)
  );
  CREATE INDEX dynamodb_stream_records_by_age ON dynamodb_stream_records (created_at);
  `,
  // 16: keys every node of the cluster signs with (the code URLs GetFunction presigns): the first
  // node to start writes one, every node uses that one, so any node verifies what another signed
  `
  CREATE TABLE unkai_signing_keys (
    name TEXT COLLATE "C" PRIMARY KEY,
    access_key_id TEXT COLLATE "C" NOT NULL,
    secret_access_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );
  `,
  // 17: taking a concurrency slot in one statement (one round trip, the lock held only as long as
  // the function and its commit take): every unreserved invoke of the cluster passes this lock. In
  // a volatile function each statement reads a fresh snapshot, so the count after the lock sees
  // every slot its previous holder committed.
  `
  CREATE FUNCTION unkai_take_slot(p_id TEXT, p_name TEXT, p_node TEXT, p_now BIGINT, p_alive_after BIGINT, p_limit INTEGER)
  RETURNS BOOLEAN LANGUAGE plpgsql VOLATILE AS $$
  DECLARE
    taken INTEGER;
  BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('unkai_slots'), hashtext(p_name));
    INSERT INTO unkai_slots (id, function_name, node_id, taken_at)
      SELECT p_id, p_name, p_node, p_now
      WHERE (SELECT COUNT(*) FROM unkai_slots s JOIN unkai_nodes n ON n.id = s.node_id
             WHERE s.function_name = p_name AND n.heartbeat_at > p_alive_after) < p_limit;
    GET DIAGNOSTICS taken = ROW_COUNT;
    RETURN taken = 1;
  END $$;
  `,
  // 18: who polls each stream shard of an event source mapping (one node at a time), and its position
  `
  CREATE TABLE shard_leases (
    key TEXT COLLATE "C" PRIMARY KEY,
    owner TEXT NOT NULL,
    lease_until BIGINT NOT NULL,
    token BIGINT NOT NULL,
    position BIGINT
  );
  `,
  // 19: S3 bucket policies, CORS rules and bucket tags as documents, one per bucket and kind
  `
  CREATE TABLE s3_bucket_settings (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  `,
  // 20: CloudWatch Logs subscription filters, one document per log group
  `
  CREATE TABLE log_subscriptions (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  `,
  // 21: S3 versioning: the bucket's state, each current row's version (id, NULL for the `null`
  // version; the sequence that orders a key's versions; whether it is a delete marker) and the
  // noncurrent versions, kept apart so reads of current objects stay as they were
  `
  ALTER TABLE s3_buckets ADD COLUMN versioning TEXT;
  ALTER TABLE s3_objects ADD COLUMN version_id TEXT COLLATE "C";
  ALTER TABLE s3_objects ADD COLUMN sequence TEXT COLLATE "C" NOT NULL DEFAULT '';
  ALTER TABLE s3_objects ADD COLUMN delete_marker INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE s3_object_versions (
    bucket TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    blob TEXT COLLATE "C" NOT NULL,
    size BIGINT NOT NULL,
    etag TEXT NOT NULL,
    last_modified BIGINT NOT NULL,
    headers TEXT NOT NULL,
    upload_id TEXT COLLATE "C",
    part_sizes TEXT,
    tags TEXT,
    version_id TEXT COLLATE "C",
    sequence TEXT COLLATE "C" NOT NULL,
    delete_marker INTEGER NOT NULL,
    PRIMARY KEY (bucket, key, sequence)
  );
  CREATE INDEX s3_object_versions_by_blob ON s3_object_versions (blob);
  `,
  // 22: SNS http/https deliveries waiting for a retry (documents; their due times are schedule
  // timers), FIFO topics' deduplication ids over their window and their sequence counters, shared
  // by every node so a retry or a dedup id outlives the node that made it
  `
  CREATE TABLE sns_http_deliveries (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE sns_deduplication (
    topic_arn TEXT COLLATE "C" NOT NULL,
    deduplication_id TEXT COLLATE "C" NOT NULL,
    message_id TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (topic_arn, deduplication_id)
  );
  CREATE INDEX sns_deduplication_by_expiry ON sns_deduplication (expires_at);
  CREATE TABLE sns_fifo_sequences (topic_arn TEXT COLLATE "C" PRIMARY KEY, last BIGINT NOT NULL);
  `,
  // 23: secrets every node of the cluster shares that are not access key pairs (SNS's message-signing
  // key and its certificate, so a SigningCertURL of any node verifies what another node signed)
  `
  CREATE TABLE unkai_shared_secrets (
    name TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );
  `,
  // 24: EventBridge Scheduler: schedule groups, schedules by `<group>/<name>`, and deliveries waiting for a retry
  `
  CREATE TABLE scheduler_groups (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE scheduler_schedules (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE scheduler_deliveries (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  `,
  // 25: IAM groups' members, users' and roles' tags, customer managed policies' versions (the default's document stays in
  // iam_entities), and access keys' status and last use
  `
  CREATE TABLE iam_group_members (
    group_key TEXT COLLATE "C" NOT NULL,
    user_key TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (group_key, user_key)
  );
  CREATE INDEX iam_group_members_by_user ON iam_group_members (user_key);
  CREATE TABLE iam_policy_versions (
    policy_key TEXT COLLATE "C" NOT NULL,
    seq INTEGER NOT NULL,
    document TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (policy_key, seq)
  );
  ALTER TABLE iam_entities ADD COLUMN default_version TEXT;
  ALTER TABLE iam_entities ADD COLUMN tags TEXT;
  -- version_seq: the last version number a policy gave out (IAM never reuses one, even once deleted)
  ALTER TABLE iam_entities ADD COLUMN version_seq INTEGER;
  UPDATE iam_entities SET default_version = 'v1', version_seq = 1 WHERE kind = 'policy';
  INSERT INTO iam_policy_versions (policy_key, seq, document, created_at)
    SELECT name_key, 1, COALESCE(document, ''), created_at FROM iam_entities WHERE kind = 'policy';
  ALTER TABLE access_keys ADD COLUMN status TEXT;
  ALTER TABLE access_keys ADD COLUMN last_used_at BIGINT;
  ALTER TABLE access_keys ADD COLUMN last_used_service TEXT;
  ALTER TABLE access_keys ADD COLUMN last_used_region TEXT;
  `,
  // 26: EventBridge API destinations: connections (their secrets included) and API destinations, by name
  `
  CREATE TABLE event_connections (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE event_api_destinations (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  `,
  // 27: SQS message move tasks, by task handle (they outlive a restart and are seen by every node)
  `
  CREATE TABLE sqs_move_tasks (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  `,
  // 28: DynamoDB Streams' shard rollovers: where each shard after the first starts
  `
  CREATE TABLE dynamodb_stream_shards (
    stream TEXT COLLATE "C" NOT NULL,
    shard_index INTEGER NOT NULL,
    table_name TEXT COLLATE "C" NOT NULL,
    starting_sequence BIGINT NOT NULL,
    opened_at BIGINT NOT NULL,
    PRIMARY KEY (stream, shard_index)
  );
  `,
  // 29: IAM instance profiles, one document per profile by lower-cased name (IAM names are unique ignoring case);
  // users' and roles' permissions boundaries (a managed policy's ARN)
  `
  CREATE TABLE iam_instance_profiles (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  ALTER TABLE iam_entities ADD COLUMN permissions_boundary TEXT;
  `,
  // 30: S3 parts' additional checksums (x-amz-checksum-<algorithm> on UploadPart: ListParts answers them, Complete combines them); a multipart object's parts' checksums (GetObjectAttributes ObjectParts)
  `
  ALTER TABLE s3_parts ADD COLUMN checksum_algorithm TEXT;
  ALTER TABLE s3_parts ADD COLUMN checksum TEXT;
  ALTER TABLE s3_objects ADD COLUMN part_checksums TEXT;
  ALTER TABLE s3_object_versions ADD COLUMN part_checksums TEXT;
  `,
  // 31: DynamoDB transactions' client request tokens (stored with the transaction's writes; kept 10 minutes);
  // deleted tables' streams, kept readable for 24 hours
  `
  CREATE TABLE dynamodb_client_tokens (token TEXT COLLATE "C" PRIMARY KEY, digest TEXT NOT NULL, expires_at BIGINT NOT NULL);
  CREATE INDEX dynamodb_client_tokens_by_expiry ON dynamodb_client_tokens (expires_at);
  CREATE TABLE dynamodb_retired_streams (
    stream TEXT COLLATE "C" PRIMARY KEY, table_name TEXT COLLATE "C" NOT NULL, table_created_at BIGINT NOT NULL, definition TEXT NOT NULL, retired_at BIGINT NOT NULL
  );
  `,
  // 32: S3 notifications to queues, topics and the default event bus, written in the object change's own
  // transaction and deleted once delivered (src/async/delivery-outbox.ts), one JSON document each
  `
  CREATE TABLE s3_deliveries (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  `,
  // 33: STS AssumeRole sessions' credentials until they expire, shared by every node (they outlive a restart), swept once expired
  `
  CREATE TABLE sts_sessions (
    access_key_id TEXT COLLATE "C" PRIMARY KEY, secret_access_key TEXT NOT NULL, session_token TEXT NOT NULL, principal TEXT NOT NULL, expires_at BIGINT NOT NULL
  );
  CREATE INDEX sts_sessions_by_expiry ON sts_sessions (expires_at);
  `,
  // 34: Kinesis Data Streams: the streams by ARN (documents), their records by per-stream sequence number
  // (read by shard, trimmed by age) and each stream's sequence counter
  `
  CREATE TABLE kinesis_streams (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE kinesis_records (
    stream TEXT COLLATE "C" NOT NULL,
    sequence BIGINT NOT NULL,
    shard INTEGER NOT NULL,
    partition_key TEXT NOT NULL,
    data BYTEA NOT NULL,
    arrived_at BIGINT NOT NULL,
    PRIMARY KEY (stream, sequence)
  );
  CREATE INDEX kinesis_records_by_shard ON kinesis_records (stream, shard, sequence);
  CREATE INDEX kinesis_records_by_age ON kinesis_records (stream, arrived_at);
  CREATE TABLE kinesis_sequences (stream TEXT COLLATE "C" PRIMARY KEY, last BIGINT NOT NULL);
  CREATE TABLE kinesis_closed_shards (stream TEXT COLLATE "C" NOT NULL, shard INTEGER NOT NULL, PRIMARY KEY (stream, shard));
  `,
  // 35: DynamoDB secondary index entries (as SQLite's 39)
  `
  CREATE TABLE dynamodb_index_entries (
    table_name TEXT COLLATE "C" NOT NULL,
    index_name TEXT COLLATE "C" NOT NULL,
    partition_key BYTEA NOT NULL,
    sort_key BYTEA NOT NULL,
    item_partition_key BYTEA NOT NULL,
    item_sort_key BYTEA NOT NULL,
    PRIMARY KEY (table_name, index_name, partition_key, sort_key, item_partition_key, item_sort_key)
  );
  CREATE INDEX dynamodb_index_entries_by_item ON dynamodb_index_entries (table_name, item_partition_key, item_sort_key);
  `,
  // 36: DynamoDB keys as long as DynamoDB allows. A B-tree row holds about 2.7 KB, and a 2,048-byte partition
  // key beside a 1,024-byte sort key (or an index entry's two keys) passes it, so the unique indexes hold each
  // partition key, and an entry's item key, as a token: the key itself up to 256 bytes, else its first 256
  // bytes and its SHA-256 (longer than any short key, so the two never meet). Order within a partition is
  // the sort key's, as before; partitions are ordered by token (a Scan's order, which DynamoDB leaves open).
  `
  CREATE FUNCTION unkai_key_token(k bytea) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT CASE WHEN length(k) <= 256 THEN k ELSE substring(k FROM 1 FOR 256) || sha256(k) END $$;
  ALTER TABLE dynamodb_items DROP CONSTRAINT dynamodb_items_pkey;
  CREATE UNIQUE INDEX dynamodb_items_key ON dynamodb_items (table_name, unkai_key_token(partition_key), sort_key);
  ALTER TABLE dynamodb_index_entries DROP CONSTRAINT dynamodb_index_entries_pkey;
  CREATE UNIQUE INDEX dynamodb_index_entries_key ON dynamodb_index_entries
    (table_name, index_name, unkai_key_token(partition_key), sort_key, unkai_key_token(item_partition_key), unkai_key_token(item_sort_key));
  DROP INDEX dynamodb_index_entries_by_item;
  CREATE INDEX dynamodb_index_entries_by_item ON dynamodb_index_entries (table_name, unkai_key_token(item_partition_key), unkai_key_token(item_sort_key));
  `,
  // 37: when each Kinesis shard was closed by resharding (as SQLite's 40); closures made before this count as old
  `
  ALTER TABLE kinesis_closed_shards ADD COLUMN closed_at BIGINT NOT NULL DEFAULT 0;
  `,
  // 38: REST APIs' API keys, the key of each key value (by its SHA-256), and usage plans (as SQLite's 41)
  `
  CREATE TABLE apigateway_api_keys (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE apigateway_api_key_values (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE apigateway_usage_plans (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  `,
  // 39: DynamoDB on-demand backups as documents by backup ARN (as SQLite's 42)
  `
  CREATE TABLE dynamodb_backups (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  `,
  // 40: DynamoDB exports to S3 and imports from S3 (as SQLite's 43)
  `
  CREATE TABLE dynamodb_exports (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE dynamodb_imports (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  `,
  // 41: CloudWatch Logs log groups' tags (as SQLite's 44)
  `
  ALTER TABLE log_groups ADD COLUMN tags TEXT;
  `,
  // 42: CloudWatch dashboards by name (as SQLite's 45)
  `
  CREATE TABLE cloudwatch_dashboards (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  `,
  // 43: EventBridge archives, replays and archived events (as SQLite's 46)
  `
  CREATE TABLE event_archives (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE event_replays (api_id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE archived_events (
    sequence BIGSERIAL PRIMARY KEY,
    archive TEXT COLLATE "C" NOT NULL,
    event_time BIGINT NOT NULL,
    archived_at BIGINT NOT NULL,
    size INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX archived_events_by_time ON archived_events (archive, event_time, sequence);
  CREATE INDEX archived_events_by_arrival ON archived_events (archive, archived_at);
  `,
];
