#!/usr/bin/env node
import { runCli } from "@tessera/cli";
import { createProgram } from "./program.js";

await runCli(createProgram());
