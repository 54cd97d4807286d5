import { ServeBindError } from "./errors.js";

/** What each listen error code means for the user: the option at fault and what it must be. */
const REASONS: Record<string, { field: string; why: string; expected: string }> = {
  EADDRINUSE: {
    field: "port",
    why: "the port is in use by another process",
    expected: "a free port (or --port 0 for any free port)",
  },
  EADDRNOTAVAIL: {
    field: "host",
    why: "the address is not one of this machine's",
    expected: "an address of this machine's interfaces, like 127.0.0.1, 0.0.0.0 or ::1",
  },
  EACCES: {
    field: "port",
    why: "permission denied",
    expected: "a port from 1024 up (lower ports need privileges), or --port 0",
  },
  ENOTFOUND: {
    field: "host",
    why: "the host name does not resolve",
    expected: "an address of this machine, like 127.0.0.1, 0.0.0.0 or ::1, or a name that resolves to one",
  },
  EAI_AGAIN: {
    field: "host",
    why: "the host name could not be resolved",
    expected: "an address of this machine, like 127.0.0.1, 0.0.0.0 or ::1",
  },
};

/**
 * The error to report when a server cannot listen on `host:port`: a {@link ServeBindError} naming
 * `host:port`, the option at fault and the system's error code (the original is its `cause`).
 */
export function bindError(error: unknown, host: string, port: number): ServeBindError {
  const code = (error as NodeJS.ErrnoException)?.code ?? "unknown";
  const reason = REASONS[code] ?? {
    field: "host",
    why: (error as Error)?.message ?? String(error),
    expected: "an address and port this machine can listen on",
  };
  const address = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return new ServeBindError(`cannot listen on ${address}: ${reason.why}`, {
    field: reason.field,
    expected: reason.expected,
    found: code,
    cause: error,
  });
}
