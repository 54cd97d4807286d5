#!/usr/bin/env node
import { runCli } from "@tessera/cli";
import { Command } from "commander";
import { meshCommand, serveCommand } from "./cli.js";

await runCli(new Command("tessera-mesh").addCommand(meshCommand()).addCommand(serveCommand()));
