import { constants } from "node:os";
import { fileURLToPath } from "node:url";
import type { SpawnReport, SpawnRequest } from "./spawner.js";

/** The Node helper program (plain JavaScript beside this module, in src/ and in dist/). */
export const NODE_SPAWN_HELPER = fileURLToPath(new URL("./spawn-helper.js", import.meta.url));
/** The Perl helper program (beside this module, in src/ and in dist/). */
export const PERL_SPAWN_HELPER = fileURLToPath(new URL("./spawn-helper.pl", import.meta.url));
/** The Python helper program (beside this module, in src/ and in dist/). */
export const PYTHON_SPAWN_HELPER = fileURLToPath(new URL("./spawn-helper.py", import.meta.url));

/** A report of a helper: about request `id`, or that it is ready for requests. */
export type HelperReport = (SpawnReport & { id: number }) | { type: "ready" };

/** How the launcher talks to one kind of spawn helper. */
export interface HelperProtocol {
  /** "python", "perl" or "node". */
  name: string;
  /** Its command line. */
  command: string[];
  /** The helper program file (when missing, e.g. bundled away, the fallback is used at once). */
  program?: string;
  /**
   * One request: `envSet`/`envUnset` change the environment the helper holds from the previous
   * request. Returns null when the request cannot be expressed (then it is not sent).
   */
  encode(
    id: number,
    request: SpawnRequest,
    envSet: Record<string, string>,
    envUnset: string[],
  ): string | null;
  /** One line the helper wrote. */
  decode(line: string): HelperReport;
}

/** The Node helper (spawn-helper.js): JSON lines both ways. */
export function nodeProtocol(node = process.execPath): HelperProtocol {
  return {
    name: "node",
    command: [node, NODE_SPAWN_HELPER],
    program: NODE_SPAWN_HELPER,
    encode(id, request, envSet, envUnset) {
      const { env: _env, ...rest } = request;
      return `${JSON.stringify({ id, ...rest, envSet, envUnset })}\n`;
    },
    decode: (line) => JSON.parse(line),
  };
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));
const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n as number, name]));

/** The Python helper (spawn-helper.py, posix_spawn): the compact protocol of the Perl helper. */
export function pythonProtocol(python: string): HelperProtocol {
  // -I: no PYTHON* variables or user site; -S: no site module (only the standard library is used)
  return compactProtocol("python", [python, "-I", "-S", PYTHON_SPAWN_HELPER], PYTHON_SPAWN_HELPER);
}

/** The Perl helper (spawn-helper.pl, fork and exec). */
export function perlProtocol(perl: string): HelperProtocol {
  return compactProtocol("perl", [perl, PERL_SPAWN_HELPER], PERL_SPAWN_HELPER);
}

/** Length-prefixed NUL-separated requests, one-line reports (spawn-helper.pl and spawn-helper.py). */
function compactProtocol(name: string, command: string[], program: string): HelperProtocol {
  const argv0 = new Map<number, string>();
  return {
    name,
    command,
    program,
    encode(id, request, envSet, envUnset) {
      const fields = [
        String(id),
        request.cwd,
        request.stdoutPath,
        request.stderrPath,
        String(request.argv.length),
        ...request.argv,
        String(Object.keys(envSet).length),
        ...Object.entries(envSet).map(([k, v]) => `${k}=${v}`),
        String(envUnset.length),
        ...envUnset,
      ];
      // a C string cannot hold NUL, nor can a field of this protocol (nor an environment name "=")
      if (fields.some((f) => f.includes("\0")) || Object.keys(envSet).some((k) => k.includes("=")))
        return null;
      argv0.set(id, request.argv[0]);
      const payload = fields.join("\0");
      return `${Buffer.byteLength(payload)}\n${payload}`;
    },
    decode(line) {
      const [type, idText, a, b] = line.split(" ");
      if (type === "R") return { type: "ready" };
      const id = Number(idText);
      if (type === "S") return { id, type: "spawned", pid: Number(a) };
      const name = argv0.get(id);
      argv0.delete(id);
      if (type === "E") {
        const code = ERRNO_NAMES.get(Number(a)) ?? `errno ${a}`;
        // the message Node's own spawn gives
        return { id, type: "error", code, message: `spawn ${name} ${code}` };
      }
      if (type === "X") {
        return {
          id,
          type: "exit",
          code: a === "-" ? null : Number(a),
          signal: b === "-" ? null : (SIGNAL_NAMES.get(Number(b)) ?? `SIG${b}`),
        };
      }
      throw new Error(`spawn helper (${name}): unexpected report "${line}"`);
    },
  };
}
