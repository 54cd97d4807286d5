/** Hostile names and strings for the report tests (report.test.ts, browser.test.ts). */
import { join } from "node:path";
import type { ValidationTest } from "../checks/result.js";
import { writeFixtureCatalogs } from "../runner/fixtures.js";
import { runValidation } from "../runner/runner.js";
import { type LoadedTest, parseTestConfigYaml } from "../runner/test-config.js";

export const EVIL_CATALOG = "<script>alert(1)</script>";
export const EVIL_SUMMARY = `<img src=x onerror="window.__xss=1;alert(2)"><b>bold</b> & "quotes" 'single'`;

/** A test whose name, criterion, summary, data keys and plot title carry HTML. */
export function evilTest(): LoadedTest {
  const name = `"><svg onload=alert(3)>`;
  const test: ValidationTest = {
    name,
    config: {},
    run: async () => ({
      test: name,
      status: "FAILED",
      score: 3.25,
      criterion: "<i>score</i> < 1",
      summary: EVIL_SUMMARY,
      data: { "<key onclick=alert(4)>": "<script>alert(5)</script>", values: [1, 2, 3] },
      plots: [
        {
          title: "<script>alert(6)</script>",
          data: {
            values: [
              { x: 1, y: 1 },
              { x: 2, y: 4 },
              { x: 3, y: 9 },
            ],
          },
          mark: "line",
          encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
        },
      ],
    }),
  };
  return { name, kind: "custom", config: {}, test };
}

/** Run the good catalog as `<script>alert(1)</script>` and `good` × readiness and the evil test. */
export async function writeEvilReport(dir: string): Promise<string> {
  const { good } = await writeFixtureCatalogs(dir);
  const readiness = parseTestConfigYaml("test: readiness\n", join(dir, "readiness.yaml"));
  const out = join(dir, "report");
  await runValidation({
    catalogs: [{ name: EVIL_CATALOG, path: good }, { path: good }],
    tests: [readiness, evilTest()],
    out,
  });
  return out;
}
