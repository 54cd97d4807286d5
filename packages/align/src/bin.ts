#!/usr/bin/env node
import { runCli } from "@tessera/cli";
import { alignCommand } from "./cli.js";

await runCli(alignCommand().name("tessera-align"));
