#!/usr/bin/env node
import { runCli } from "@tessera/cli";
import { Command } from "commander";
import { alignCommand } from "./cli.js";

await runCli(new Command("tessera-align").addCommand(alignCommand()));
