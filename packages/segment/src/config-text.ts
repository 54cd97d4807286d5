import { SegmentOptionsError } from "./errors.js";

/**
 * `text` with every `//` line comment blanked out (outside JSON strings, so `"http://x"` stays), the
 * line breaks kept so that positions still point at the same line and column.
 */
export function stripLineComments(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      if (i < text.length) out += "\n";
    } else {
      out += c;
      if (c === '"') inString = true;
    }
  }
  return out;
}

/**
 * Parse a config file's text: JSON with `//` line comments (the format `tessera segment init-config`
 * prints). Throws {@link SegmentOptionsError} naming the file and the line and column of the fault.
 */
export function parseConfigText(text: string, path?: string): unknown {
  const json = stripLineComments(text);
  try {
    return JSON.parse(json);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    let where = "";
    if (position) {
      const before = json.slice(0, Number(position[1]));
      const line = before.split("\n").length;
      where = ` at line ${line}, column ${Number(position[1]) - before.lastIndexOf("\n")}`;
    }
    throw new SegmentOptionsError(`config is not valid JSON${where}`, {
      path,
      expected: "JSON (with // line comments), as `tessera segment init-config` prints",
      found: message.replace(/ in JSON at position \d+.*$/, "").replace(/\s*\(line \d+ column \d+\)$/, ""),
      cause: error,
    });
  }
}
