/**
 * npm run docs:config — prints the configuration reference (option, Flink key,
 * environment variable, default, meaning) as a Markdown table, from the same
 * option records the config compiler validates with. The README's table is this output.
 */
import { CHECKPOINTING_ENVIRONMENT_VARIABLES, describeConfig } from '../core/config/index.js';

const envByOption = new Map(CHECKPOINTING_ENVIRONMENT_VARIABLES.map((v) => [String(v.option), v.name]));
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
console.log('| option | Flink key | environment | default | meaning |');
console.log('|---|---|---|---|---|');
for (const row of describeConfig()) {
  const flink = [row.flinkKey, ...row.flinkAliases]
    .filter(Boolean)
    .map((k) => `\`${k}\``)
    .join('<br>');
  const env = envByOption.get(row.option.split('.')[0] ?? '') ?? '';
  console.log(
    `| \`${row.option}\` | ${flink || '—'} | ${env ? `\`${env}\`` : '—'} | ${cell(row.default)} | ${cell(row.meaning)} |`,
  );
}
