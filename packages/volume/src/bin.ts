#!/usr/bin/env node
import { volumeCommand } from "./cli.js";
import { runCli } from "./run-cli.js";

await runCli(volumeCommand().name("tessera-volume"));
