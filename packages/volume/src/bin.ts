#!/usr/bin/env node
import { runCli } from "@tessera/cli";
import { volumeCommand } from "./cli.js";

await runCli(volumeCommand().name("tessera-volume"));
