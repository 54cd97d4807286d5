import { describe, expect, it } from "vitest";
import { parseConfigText, stripLineComments } from "./config-text.js";
import { SegmentOptionsError } from "./errors.js";

describe("config text: JSON with // line comments", () => {
  it("drops comments outside strings, keeps // inside strings and escaped quotes, keeps line numbers", () => {
    const text = '// header\n{\n  "a": "http://x", // trailing\n  "b": "q\\"//not a comment"\n}\n';
    expect(parseConfigText(text)).toEqual({ a: "http://x", b: 'q"//not a comment' });
    expect(stripLineComments(text).split("\n")).toHaveLength(text.split("\n").length);
  });

  it("refuses text that is not JSON with the line and column of the fault", () => {
    const error = (() => {
      try {
        parseConfigText('{\n  // comment\n  "a": 1,\n  b: 2\n}', "run.json");
      } catch (e) {
        return e;
      }
    })() as SegmentOptionsError;
    expect(error).toBeInstanceOf(SegmentOptionsError);
    expect(error.message).toMatch(
      /^config is not valid JSON at line 4, column 3; path: run\.json; expected: JSON/,
    );
    expect(error.exitStatus).toBe(2);
  });
});
