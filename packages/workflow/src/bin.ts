#!/usr/bin/env node
import { Command } from "commander";
import { registerWorkflowCommands } from "./cli.js";

const program = new Command("tessera-workflow").description(
  "Tessera workflow: task sites, apps, tasks, launcher",
);
registerWorkflowCommands(program);
await program.parseAsync(process.argv);
