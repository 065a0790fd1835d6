import { ConfigError } from '../errors/index.js';

/** One problem in the configuration: where (field path or Flink key) and what is wrong. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Every problem found while compiling the configuration, thrown once so a user
 * fixes them all in one deploy. With one issue, `path` is that issue's path; with
 * several, `path` is `checkpointing` and the message lists each of them.
 */
export class InvalidConfigError extends ConfigError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const [first] = issues;
    const single = issues.length === 1 && first !== undefined;
    super(
      single ? first.path : 'checkpointing',
      single
        ? first.message
        : `${issues.length} configuration problems, fix all of them:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`,
    );
    this.name = 'InvalidConfigError';
    this.issues = Object.freeze([...issues]);
  }
}
