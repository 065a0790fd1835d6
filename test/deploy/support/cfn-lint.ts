import { execFileSync } from 'node:child_process';

/**
 * Python cfn-lint (not the npm package of the same name). It is on this project's
 * machine image but not on a fresh one, so callers skip when cfnLintVersion() is undefined.
 */

export interface CfnLintMatch {
  Level: 'Error' | 'Warning' | 'Informational';
  Rule: { Id: string };
  Message: string;
}

export function cfnLintVersion(): string | undefined {
  try {
    return execFileSync('cfn-lint', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

export function runCfnLint(templateFile: string): CfnLintMatch[] {
  let output: string;
  try {
    output = execFileSync('cfn-lint', ['--format', 'json', templateFile], { encoding: 'utf8' });
  } catch (error) {
    // cfn-lint exits non-zero for warnings too; its JSON is on stdout either way.
    output = (error as { stdout?: string }).stdout ?? '';
  }
  return JSON.parse(output || '[]') as CfnLintMatch[];
}
