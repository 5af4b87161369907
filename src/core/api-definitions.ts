/** The stored shapes of HTTP APIs (apigatewayv2), REST APIs (apigateway) and Function URL configs. */

/** CORS settings of an HTTP API or a Function URL, in one casing. */
export interface CorsConfig {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAge: number | undefined;
  readonly allowCredentials: boolean;
}

export interface HttpRoute {
  readonly routeId: string;
  readonly routeKey: string;
  /** `integrations/<integrationId>`. */
  readonly target: string | undefined;
  readonly authorizationType: string;
  /** With authorizationType CUSTOM or JWT: the authorizer that decides. */
  readonly authorizerId?: string | undefined;
  /** With authorizationType JWT: the token must carry one of these scopes (none: any token the authorizer accepts). */
  readonly authorizationScopes?: readonly string[] | undefined;
}

/** An HTTP API's authorizer: a Lambda function (REQUEST) or a JWT issuer (JWT). */
export interface HttpAuthorizer {
  readonly authorizerId: string;
  readonly name: string;
  /** Absent in documents stored before JWT authorizers existed: REQUEST. */
  readonly authorizerType?: "REQUEST" | "JWT" | undefined;
  /** JWT: the issuer (`iss`, and where its JWKS is discovered) and the audiences a token's `aud` or `client_id` must name. */
  readonly jwtConfiguration?: { readonly issuer: string; readonly audience: readonly string[] } | undefined;
  /** REQUEST: the function (empty for JWT). */
  readonly authorizerUri: string;
  readonly payloadFormatVersion: "1.0" | "2.0";
  readonly enableSimpleResponses: boolean;
  /** Selection expressions (`$request.header.X`, `$request.querystring.x`, `$context.x`, `$stageVariables.x`). */
  readonly identitySource: readonly string[];
  readonly resultTtlSeconds: number;
  readonly credentialsArn: string | undefined;
}

export interface HttpIntegration {
  readonly integrationId: string;
  readonly integrationType: string;
  readonly integrationUri: string;
  readonly integrationMethod: string;
  readonly payloadFormatVersion: "1.0" | "2.0";
  readonly timeoutInMillis: number;
  readonly description: string | undefined;
}

export interface HttpStage {
  readonly stageName: string;
  readonly autoDeploy: boolean;
  readonly createdDate: string;
  readonly lastUpdatedDate: string;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly description: string | undefined;
  /** The stage's own tags (not the API's); absent in documents stored before stages kept tags. */
  readonly tags?: Readonly<Record<string, string>> | undefined;
  /** The deployment the stage names (CreateDeployment with its StageName, or UpdateStage); kept and answered, not served: every stage serves the current routes. */
  readonly deploymentId?: string | undefined;
  /** Kept and answered as given; Unkai's access log format is fixed. The route settings' throttling is applied (served-apis/stage-throttles.ts), their other members are not. */
  readonly accessLogSettings?: HttpAccessLogSettings | undefined;
  readonly defaultRouteSettings?: HttpRouteSettings | undefined;
  /** By route key. */
  readonly routeSettings?: Readonly<Record<string, HttpRouteSettings>> | undefined;
  readonly clientCertificateId?: string | undefined;
}

export interface HttpAccessLogSettings {
  readonly destinationArn?: string | undefined;
  readonly format?: string | undefined;
}

export interface HttpRouteSettings {
  readonly dataTraceEnabled?: boolean | undefined;
  readonly detailedMetricsEnabled?: boolean | undefined;
  readonly loggingLevel?: "ERROR" | "INFO" | "OFF" | undefined;
  readonly throttlingBurstLimit?: number | undefined;
  readonly throttlingRateLimit?: number | undefined;
}

/** A CreateDeployment record that stages may name; no snapshot is taken, as every stage serves the API's current routes. */
export interface HttpDeployment {
  readonly deploymentId: string;
  readonly createdDate: string;
  readonly description: string | undefined;
  readonly deploymentStatus: "DEPLOYED";
  readonly autoDeployed: boolean;
}

/** An HTTP API with its routes, integrations and stages, stored as one document. */
export interface HttpApi {
  readonly apiId: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly createdDate: string;
  readonly cors: CorsConfig | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly routes: readonly HttpRoute[];
  readonly integrations: readonly HttpIntegration[];
  readonly stages: readonly HttpStage[];
  readonly authorizers?: readonly HttpAuthorizer[] | undefined;
  /** Absent in documents stored before deployments were kept: none. */
  readonly deployments?: readonly HttpDeployment[] | undefined;
}

export interface RestIntegration {
  readonly type: string;
  readonly httpMethod: string;
  readonly uri: string;
  readonly timeoutInMillis: number;
}

export interface RestMethod {
  readonly httpMethod: string;
  readonly authorizationType: string;
  /** With authorizationType CUSTOM: the Lambda authorizer that decides. */
  readonly authorizerId?: string | undefined;
  readonly apiKeyRequired: boolean;
  readonly integration: RestIntegration | undefined;
}

export interface RestResource {
  readonly id: string;
  readonly parentId: string | undefined;
  readonly pathPart: string | undefined;
  readonly path: string;
  readonly methods: Readonly<Record<string, RestMethod>>;
}

export interface RestDeployment {
  readonly id: string;
  readonly description: string | undefined;
  readonly createdDate: number;
  /** The resources as they were when deployed; stages serve this snapshot. */
  readonly resources: readonly RestResource[];
  /** The API's resource policy when deployed: as on AWS, a changed policy applies from the next deployment. */
  readonly policy?: string | undefined;
  /** The API's authorizers when deployed (like its methods, they apply from the next deployment). */
  readonly authorizers?: readonly RestAuthorizer[] | undefined;
}

/** A REST API's Lambda authorizer: TOKEN (one header) or REQUEST (the request). */
export interface RestAuthorizer {
  readonly id: string;
  readonly name: string;
  readonly type: "TOKEN" | "REQUEST";
  readonly authorizerUri: string;
  /** TOKEN: `method.request.header.<name>`; REQUEST: a comma-separated list of `method.request.header.*`, `method.request.querystring.*`, `stageVariables.*`, `context.*`. */
  readonly identitySource: string | undefined;
  /** TOKEN: a regular expression the token must match before the authorizer is called. */
  readonly identityValidationExpression: string | undefined;
  readonly resultTtlSeconds: number;
  readonly credentials: string | undefined;
}

export interface RestStage {
  readonly stageName: string;
  readonly deploymentId: string;
  readonly description: string | undefined;
  readonly createdDate: number;
  readonly lastUpdatedDate: number;
  readonly variables: Readonly<Record<string, string>>;
  /** The stage's own tags (not the API's); absent in documents stored before REST stages kept tags. */
  readonly tags?: Readonly<Record<string, string>> | undefined;
  /** Kept and answered (CreateStage, UpdateStage); Unkai has no cache cluster and sends no traces. */
  readonly cacheClusterEnabled?: boolean | undefined;
  readonly tracingEnabled?: boolean | undefined;
  /** UpdateStage's method settings, by `<resourcePath>/<httpMethod>` as API Gateway keys them (both `*`: every method); kept and answered; only the throttling is applied (served-apis/stage-throttles.ts). */
  readonly methodSettings?: Readonly<Record<string, RestMethodSetting>> | undefined;
}

/** One method setting of a REST stage: only the members UpdateStage set. */
export interface RestMethodSetting {
  readonly metricsEnabled?: boolean;
  readonly loggingLevel?: string;
  readonly dataTraceEnabled?: boolean;
  readonly throttlingBurstLimit?: number;
  readonly throttlingRateLimit?: number;
  readonly cachingEnabled?: boolean;
  readonly cacheTtlInSeconds?: number;
  readonly cacheDataEncrypted?: boolean;
  readonly requireAuthorizationForCacheControl?: boolean;
  readonly unauthorizedCacheControlHeaderStrategy?: string;
}

/** A REST API with its resources, deployments and stages, stored as one document. */
export interface RestApi {
  readonly id: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly createdDate: number;
  readonly binaryMediaTypes: readonly string[];
  readonly rootResourceId: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly resources: readonly RestResource[];
  readonly deployments: readonly RestDeployment[];
  readonly stages: readonly RestStage[];
  /** The resource policy (execute-api:Invoke), minified, `execute-api:/…` resources expanded to ARNs; absent when none. */
  readonly policy?: string | undefined;
  readonly authorizers?: readonly RestAuthorizer[] | undefined;
  /** Where a method that requires an API key reads it: the `x-api-key` header (HEADER, the default) or a Lambda authorizer's `usageIdentifierKey`. */
  readonly apiKeySource?: "HEADER" | "AUTHORIZER" | undefined;
}

/** A REST authorizer's identity source's parts (REQUEST: a comma-separated list). */
export function identitySources(source: string | undefined): string[] {
  return (source ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** The resource policy a stage serves: its deployment's snapshot of the API's policy. */
export function deployedPolicy(api: RestApi, stageName: string): string | undefined {
  const stage = api.stages.find((s) => s.stageName === stageName);
  return stage ? api.deployments.find((d) => d.id === stage.deploymentId)?.policy : undefined;
}

export type InvokeMode = "BUFFERED" | "RESPONSE_STREAM";

export interface FunctionUrlConfig {
  readonly urlId: string;
  readonly functionName: string;
  /** An alias name, or `$LATEST` for the unqualified function. */
  readonly qualifier: string;
  readonly authType: "NONE" | "AWS_IAM";
  readonly cors: CorsConfig | undefined;
  readonly invokeMode: InvokeMode;
  readonly creationTime: string;
  readonly lastModifiedTime: string;
}

/** The function ARN inside a Lambda integration URI (`arn:aws:apigateway:…:lambda:path/…/functions/<arn>/invocations`) or the ARN itself. */
export function functionArnOfIntegration(uri: string): string | undefined {
  const wrapped = /:lambda:path\/\d{4}-\d\d-\d\d\/functions\/(.+)\/invocations$/.exec(uri);
  if (wrapped?.[1]) {
    try {
      return decodeURIComponent(wrapped[1]);
    } catch {
      return undefined; // not percent-encoded UTF-8: names no function
    }
  }
  return /^arn:aws[a-z-]*:lambda:/.test(uri) ? uri : undefined;
}
