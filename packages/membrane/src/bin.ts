#!/usr/bin/env node
import { runCli } from "@tessera/cli";
import { Command } from "commander";
import { membraneCommand } from "./cli.js";

await runCli(new Command("tessera-membrane").addCommand(membraneCommand()));
