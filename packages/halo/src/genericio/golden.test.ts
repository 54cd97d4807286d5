// Every sample of ../shared/data/cosmo/genericio (written by the reference C++ library) against its
// `.print.txt` dump from the reference GenericIOPrint: header facts, then every value of every rank
// as the reference prints it (C `%.{digits10}e` for floats, exact decimal for integers, BigInt for
// 64-bit). The same data written in plain, blocked and BLOSC modes must also agree bit for bit.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedData } from "@tessera/testkit";
import { describe, expect, it } from "vitest";
import type { GenericIOArray, VariableInfo } from "./format.js";
import { openGenericIO } from "./read.js";

const data = sharedData("cosmo/genericio");

const SAMPLES = [
  "plain1.gio",
  "plain2.gio",
  "blocks2.gio",
  "blosc2.gio",
  "aos1.gio",
  "part4.gio",
  "m000-499.haloproperties",
  "m000-499.haloproperties.blosc",
];

interface Dump {
  ranks: number;
  dims: string;
  totalRows?: number;
  origin: string;
  end: string;
  xyz: [string, string, string];
  names: string[];
  types: string[];
  rankBlocks: { rank: number; coords: string; rows: string[][] }[];
}

function parseDump(text: string): Dump {
  const lines = text.split("\n");
  const m0 = /^# .*: (\d+) rank\(s\): (\d+x\d+x\d+)(?:: (\d+) row\(s\))?$/.exec(lines[0]);
  const m1 = /^# physical coordinates: \((.*)\) -> \((.*)\)$/.exec(lines[1]);
  if (!m0 || !m1) throw new Error(`unexpected dump header: ${lines[0]} / ${lines[1]}`);
  const dump: Dump = {
    ranks: Number(m0[1]),
    dims: m0[2],
    totalRows: m0[3] === undefined ? undefined : Number(m0[3]),
    origin: m1[1],
    end: m1[2],
    xyz: [lines[2], lines[3], lines[4]].map((l) => l.replace(/^# [xyz] variables: ?/, "")) as [
      string,
      string,
      string,
    ],
    names: lines[5].slice(2).split("\t"),
    types: lines[6].slice(2).split("\t"),
    rankBlocks: [],
  };
  for (const line of lines.slice(7)) {
    if (line === "") continue;
    const m = /^# rank (\d+): ([\d,]+): (\d+) row\(s\)$/.exec(line);
    if (m) dump.rankBlocks.push({ rank: Number(m[1]), coords: m[2], rows: [] });
    else dump.rankBlocks[dump.rankBlocks.length - 1].rows.push(line.split("\t"));
  }
  return dump;
}

/**
 * C's `printf("%.{digits}e", x)` (glibc rounds the exact binary value, ties to even). JS's
 * toExponential rounds ties away from zero, so ties are detected on the exact expansion.
 */
function formatE(x: number, digits: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const exact = x.toExponential(100);
  let s = x.toExponential(digits);
  const mant = exact.slice(0, exact.indexOf("e"));
  const negative = mant.startsWith("-");
  const ds = mant.replace("-", "").replace(".", "");
  const rest = ds.slice(digits + 1);
  if (/^50*$/.test(rest)) {
    // exact tie: round half to even on the kept digits
    const kept = ds.slice(0, digits + 1);
    const exp = Number(exact.slice(exact.indexOf("e") + 1));
    if (Number(kept[kept.length - 1]) % 2 === 0) {
      s = `${negative ? "-" : ""}${kept[0]}${digits > 0 ? "." : ""}${kept.slice(1)}e${exp >= 0 ? "+" : ""}${exp}`;
    }
  }
  const [m, e] = s.split("e");
  const en = Number(e);
  if (Object.is(x, -0)) return `-${m}e+00`;
  return `${m}e${en < 0 ? "-" : "+"}${String(Math.abs(en)).padStart(2, "0")}`;
}

const PRINT_TYPE: Record<string, string> = {
  i8: "s8",
  i16: "s16",
  i32: "s32",
  i64: "s64",
  u8: "u8",
  u16: "u16",
  u32: "u32",
  u64: "u64",
  f32: "f32",
  f64: "f64",
};

function printed(v: VariableInfo, value: number | bigint): string {
  if (v.type === "f32") return formatE(value as number, 6);
  if (v.type === "f64") return formatE(value as number, 15);
  return value.toString();
}

describe.skipIf(!data.available)("GenericIO samples equal the reference GenericIOPrint dumps", () => {
  for (const name of SAMPLES) {
    it(name, async () => {
      const dump = parseDump(readFileSync(join(data.path, `${name}.print.txt`), "utf8"));
      const file = await openGenericIO(join(data.path, name));
      try {
        expect(file.ranks.length).toBe(dump.ranks);
        expect(file.dims.join("x")).toBe(dump.dims);
        if (dump.totalRows !== undefined) expect(file.totalRows).toBe(dump.totalRows);
        expect(file.physOrigin.join(",")).toBe(dump.origin);
        expect(file.physOrigin.map((o, i) => o + file.physScale[i]).join(",")).toBe(dump.end);
        const coordVars = (k: "isPhysCoordX" | "isPhysCoordY" | "isPhysCoordZ") =>
          file.variables
            .filter((v) => v.flags[k])
            .map((v) => v.name)
            .join(" ");
        expect([coordVars("isPhysCoordX"), coordVars("isPhysCoordY"), coordVars("isPhysCoordZ")]).toEqual(
          dump.xyz.map((s) => s.trim().split(/\s+/).filter(Boolean).join(" ")),
        );
        // one dump column per element: vectors expand to name.x name.y …
        const columns = file.variables.flatMap((v) =>
          Array.from({ length: v.elementCount }, (_, e) => ({ v, e })),
        );
        expect(columns.length).toBe(dump.names.length);
        columns.forEach(({ v, e }, c) => {
          expect(dump.names[c]).toBe(v.elementCount === 1 ? v.name : `${v.name}.${"xyzw"[e]}`);
          expect(dump.types[c]).toBe(`(${PRINT_TYPE[v.type]})`);
        });
        expect(dump.rankBlocks.map((b) => b.rank)).toEqual(file.ranks.map((r) => r.rank));
        let checked = 0;
        for (const block of dump.rankBlocks) {
          const info = file.ranks.find((r) => r.rank === block.rank)!;
          expect(info.coords.join(",")).toBe(block.coords);
          expect(info.rows).toBe(block.rows.length);
          const cols = new Map<string, GenericIOArray>();
          for (const v of file.variables)
            cols.set(v.name, await file.readColumn(v.name, { rank: block.rank }));
          for (const v of file.variables) {
            const col = cols.get(v.name)!;
            expect(col.length).toBe(info.rows * v.elementCount);
            if (v.type === "i64") expect(col).toBeInstanceOf(BigInt64Array);
            if (v.type === "u64") expect(col).toBeInstanceOf(BigUint64Array);
          }
          block.rows.forEach((row, r) => {
            columns.forEach(({ v, e }, c) => {
              const got = printed(v, cols.get(v.name)![r * v.elementCount + e]);
              if (got !== row[c])
                throw new Error(`${name} rank ${block.rank} row ${r} ${dump.names[c]}: ${got} != ${row[c]}`);
              checked++;
            });
          });
        }
        expect(checked).toBe(dump.rankBlocks.reduce((s, b) => s + b.rows.length, 0) * columns.length);
        console.log(`${name}: ${checked} values equal the reference dump`);
      } finally {
        await file.close();
      }
    });
  }

  it("plain, blocked and BLOSC copies of the same data agree bit for bit (whole columns)", async () => {
    const groups = [
      ["plain2.gio", "blocks2.gio", "blosc2.gio"],
      ["m000-499.haloproperties", "m000-499.haloproperties.blosc"],
    ];
    for (const group of groups) {
      const files = await Promise.all(group.map((g) => openGenericIO(join(data.path, g))));
      try {
        for (const v of files[0].variables) {
          const cols = await Promise.all(files.map((f) => f.readColumn(v.name)));
          const bytes = cols.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
          for (const b of bytes.slice(1)) expect(b.equals(bytes[0])).toBe(true);
        }
      } finally {
        await Promise.all(files.map((f) => f.close()));
      }
    }
  });

  it("formatE reproduces C's round-half-even on exact ties", () => {
    expect(formatE(1234568.5, 6)).toBe("1.234568e+06");
    expect(formatE(1234567.5, 6)).toBe("1.234568e+06");
    expect(formatE(28, 6)).toBe("2.800000e+01");
    expect(formatE(-1.5e-7, 6)).toBe("-1.500000e-07");
    expect(formatE(0, 6)).toBe("0.000000e+00");
  });
});
