#!/usr/bin/env node
import { runCli } from "@tessera/volume/cli";
import { createProgram } from "./program.js";

await runCli(createProgram());
