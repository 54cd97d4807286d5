#!/usr/bin/env node
import { runCli } from "@tessera/cli";
import { Command } from "commander";
import { validateCommand } from "./cli.js";

await runCli(new Command("tessera-validate").addCommand(validateCommand()));
