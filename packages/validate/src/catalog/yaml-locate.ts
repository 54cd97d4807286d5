/** Map a key path of a parsed YAML document to its line and column (1-based) with `yaml`'s LineCounter. */
import { isMap, isScalar, isSeq, type LineCounter, type Document as YamlDocument } from "yaml";

/** A key path: map keys as strings, list indices as numbers. */
export type KeyPath = readonly (string | number)[];

/** Dotted form of a key path: `quantities.halo_mass.unit`, `filters[1]`. */
export function formatKeyPath(path: KeyPath): string {
  let out = "";
  for (const k of path) out += typeof k === "number" ? `[${k}]` : `${out ? "." : ""}${k}`;
  return out || "(top level)";
}

/**
 * Line and column of `path` in `doc`: the key of the deepest map entry (or the list item) the path
 * reaches, so a path that goes past what the file holds points at its nearest existing ancestor.
 */
export function locateKey(
  doc: YamlDocument,
  lines: LineCounter,
  path: KeyPath,
): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as { range?: number[] } | null)?.range?.[0];
  for (const k of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === k);
      if (!pair) break;
      offset = (pair.key as { range?: number[] } | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof k === "number" && k < node.items.length) {
      node = node.items[k];
      offset = (node as { range?: number[] } | null)?.range?.[0] ?? offset;
    } else break;
  }
  if (offset === undefined) return undefined;
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}
