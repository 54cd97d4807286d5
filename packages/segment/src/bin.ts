#!/usr/bin/env node
import { runCli } from "@tessera/volume/cli";
import { segmentCommand } from "./cli.js";

await runCli(segmentCommand().name("tessera-segment"));
