#!/usr/bin/env node
import { runCli } from "@tessera/cli";
import { segmentCommand } from "./cli.js";

await runCli(segmentCommand().name("tessera-segment"));
