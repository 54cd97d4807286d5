#!/usr/bin/env node
import { runCli } from "@tessera/cli";
import { Command } from "commander";
import { registerWorkflowCommands } from "./cli.js";
import { WORKFLOW_VERSION } from "./version.js";

const program = new Command("tessera-workflow")
  .description("Tessera workflow: task sites, apps, tasks, launcher")
  .version(WORKFLOW_VERSION);
registerWorkflowCommands(program);
await runCli(program);
