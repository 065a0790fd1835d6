/**
 * AWS list prices (us-east-1, on-demand, checked against the public pricing pages
 * as of 2025): the one place every cost figure of this repo is priced from.
 */
export const PRICES = {
  /** Step Functions Standard: per state transition. */
  stepFunctionsTransitionUsd: 0.025 / 1_000,
  /** Lambda arm64: per GB-second of duration, and per request. */
  lambdaGbSecondUsd: 0.000_013_333_4,
  lambdaRequestUsd: 0.2 / 1_000_000,
  /** DynamoDB on-demand: per write request unit (1 KB) and read request unit (4 KB, strongly consistent). */
  dynamoWriteUnitUsd: 0.625 / 1_000_000,
  dynamoReadUnitUsd: 0.125 / 1_000_000,
  /** Kinesis Data Streams (provisioned): per PUT payload unit (25 KB). */
  kinesisPutUnitUsd: 0.014 / 1_000_000,
  /** S3 Standard: PUT/COPY/POST/LIST per request; GET per request; DELETE is free. */
  s3PutUsd: 0.005 / 1_000,
  s3GetUsd: 0.0004 / 1_000,
} as const;

export const HOURS_PER_MONTH = 730;
