/**
 * The tables that hold one kind of document each (`api_id TEXT PRIMARY KEY, record TEXT`), on both backends:
 * a DocumentStore is made over one of them (sqliteDocumentStore, pgDocumentStore). A new kind of document
 * adds its table here and in both backends' migrations.
 */
export type DocumentTable =
  | "http_apis"
  | "rest_apis"
  | "event_buses"
  | "event_rules"
  | "event_connections"
  | "event_api_destinations"
  | "event_archives"
  | "event_replays"
  | "event_deliveries"
  | "event_source_mappings"
  | "sns_topics"
  | "sns_subscriptions"
  | "s3_bucket_settings"
  | "log_subscriptions"
  | "sns_http_deliveries"
  | "scheduler_groups"
  | "scheduler_schedules"
  | "scheduler_deliveries"
  | "s3_deliveries"
  | "sqs_move_tasks"
  | "iam_instance_profiles"
  | "kinesis_streams"
  | "apigateway_api_keys"
  | "apigateway_api_key_values"
  | "apigateway_usage_plans"
  | "dynamodb_backups"
  | "dynamodb_exports"
  | "dynamodb_imports"
  | "cloudwatch_dashboards";
