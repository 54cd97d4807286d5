import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@tessera/source"] },
  ssr: { resolve: { conditions: ["@tessera/source"] } },
  test: { environment: "node", testTimeout: 60_000, hookTimeout: 60_000 },
});
