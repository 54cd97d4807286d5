import { readFileSync } from "node:fs";
import { ReferenceDataError } from "./errors.js";

/**
 * Read a whitespace-separated numeric table: skips blank lines, `#` lines and the first `skipRows`
 * lines; Fortran `E` and `+` signs parse as numbers.
 * @throws ReferenceDataError naming the file and line when it cannot be read or a field is not a number.
 */
export function readNumericTable(path: string, skipRows = 0, minColumns = 1): number[][] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ReferenceDataError("reference data file cannot be read", {
      path,
      expected: "a readable text table (see ../shared/data/README.md)",
      found: (error as NodeJS.ErrnoException).code ?? String(error),
      cause: error,
    });
  }
  const rows: number[][] = [];
  const lines = text.split(/\r?\n/);
  for (let i = skipRows; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#")) continue;
    const row = line.split(/\s+/).map(Number);
    if (row.length < minColumns || row.some((v) => !Number.isFinite(v))) {
      throw new ReferenceDataError("reference data row is not a row of numbers", {
        path,
        field: `line ${i + 1}`,
        expected: `at least ${minColumns} numeric columns`,
        found: line.slice(0, 80),
      });
    }
    rows.push(row);
  }
  if (rows.length === 0) {
    throw new ReferenceDataError("reference data file has no rows", {
      path,
      expected: "data rows",
      found: "none",
    });
  }
  return rows;
}
