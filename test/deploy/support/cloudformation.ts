import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Runs `osls package` (offline, no credentials) into a temporary folder and reads the
 * CloudFormation template it writes. A temporary folder rather than .serverless/, so a
 * test run leaves a developer's own package alone. Callers run packages one after the
 * other: serverless-esbuild builds in the shared .esbuild/ folder of the service.
 */

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface CfnResource {
  Type: string;
  Properties?: JsonObject;
  DependsOn?: Json;
  Condition?: string;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, JsonObject>;
  Conditions?: JsonObject;
}

export interface PackagedService {
  template: CfnTemplate;
  /** Where the zips and the template are; remove with removePackage. */
  directory: string;
}

const run = promisify(execFile);
const OSLS_BIN = createRequire(import.meta.url).resolve('osls/bin/serverless.js');
const PACKAGE_TIMEOUT_MS = 120_000;

export async function packageService(args: readonly string[]): Promise<PackagedService> {
  const directory = await mkdtemp(join(tmpdir(), 'flinkless-package-'));
  try {
    // process.execPath: the Node running vitest (the project's Node 22), not whatever is on PATH.
    await run(process.execPath, [OSLS_BIN, 'package', '--package', directory, ...args], {
      cwd: REPO_ROOT,
      timeout: PACKAGE_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`osls package ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`, {
      cause: error,
    });
  }
  const text = await readFile(join(directory, 'cloudformation-template-update-stack.json'), 'utf8');
  return { template: JSON.parse(text) as CfnTemplate, directory };
}

export async function removePackage(service: PackagedService | undefined): Promise<void> {
  if (service) await rm(service.directory, { recursive: true, force: true });
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

export function resource(template: CfnTemplate, logicalId: string): CfnResource {
  const found = template.Resources[logicalId];
  if (found === undefined) {
    throw new Error(
      `expected resource ${logicalId} in the template, found ${Object.keys(template.Resources).join(', ')}`,
    );
  }
  return found;
}

export function property(resource: CfnResource, ...path: string[]): Json | undefined {
  let value: Json | undefined = resource.Properties;
  for (const key of path) value = isObject(value) ? value[key] : undefined;
  return value;
}

/** The logical id a `{ "Fn::GetAtt": [id, attr] }` or `{ "Ref": id }` points at. */
export function referencedId(value: Json | undefined): string | undefined {
  if (!isObject(value)) return undefined;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  const ref = value.Ref;
  return typeof ref === 'string' ? ref : undefined;
}

/** A string ARN, or the template text of an Fn::Sub ARN (`arn:${AWS::Partition}:...`). */
export function arnText(value: Json | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value['Fn::Sub'] === 'string') return value['Fn::Sub'];
  return undefined;
}

/** A function's environment variables, as Lambda will hand them to it (strings). */
export function environmentOf(template: CfnTemplate, functionId: string): Record<string, string> {
  const variables = property(resource(template, functionId), 'Environment', 'Variables');
  if (!isObject(variables)) throw new Error(`expected ${functionId} to have environment variables`);
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, String(value)]));
}
