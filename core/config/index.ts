export { FLINK_UNLIMITED } from './check.js';
export {
  MAX_MEMORY_THRESHOLD_BYTES,
  MAX_PARALLELIZATION_FACTOR,
  MINIMAL_CHECKPOINT_TIME_MS,
} from './checkpointing-checks.js';
export { compileConfig } from './compile-config.js';
export { type ConfigDescriptionRow, describeConfig } from './describe-config.js';
export { CHECKPOINTING_ENVIRONMENT_VARIABLES, configFromEnvironmentRecord } from './environment.js';
export type { FlinkValue } from './flink-values.js';
export { type ConfigIssue, InvalidConfigError } from './invalid-config-error.js';
export { formatS3Location, parseS3Location, type S3Location } from './s3-location.js';
export * from './types.js';
export { parseDurationMs, parseMemorySizeBytes } from './units.js';
