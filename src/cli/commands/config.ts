import type { Command } from "commander";
import { addSettingOptions, formatConfig, resolveCommandConfig, SETTING_KEYS } from "../config.ts";

/** `lvo config show`: the effective configuration of `lvo start` and where each value came from. */
export function registerConfig(program: Command): void {
  const config = program.command("config").description("node configuration (file, LVO_* environment, flags)");
  const show = config
    .command("show")
    .description(
      "print the effective configuration `lvo start` would use with the same flags and environment, " +
        "and per setting where its value came from (default, file, env or flag)",
    )
    .option("--json", "print JSON: {file, settings: {key: {value, source}}}");
  addSettingOptions(show).action((o: { json?: boolean }, command: Command) => {
    const r = resolveCommandConfig(command);
    if (o.json) {
      const settings: Record<string, { value: unknown; source: string }> = {};
      for (const k of SETTING_KEYS) settings[k] = { value: r.values[k], source: r.sources[k] };
      process.stdout.write(`${JSON.stringify({ file: r.file, settings }, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${formatConfig(r).join("\n")}\n`);
  });
}
