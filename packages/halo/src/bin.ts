#!/usr/bin/env node
import { runCli } from "@tessera/cli";
import { Command } from "commander";
import { haloCommand } from "./cli.js";

await runCli(new Command("tessera-halo").addCommand(haloCommand()));
