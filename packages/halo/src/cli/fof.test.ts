// tessera halo fof (whole box and plan/block/merge) on planted-halo boxes written with writeGenericIO.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { plantedHalos } from "@tessera/phantom";
import { tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { friendsOfFriends } from "../fof/fof.js";
import { haloProperties } from "../properties/properties.js";
import { groupsOfTags, halo, lastJson, plantedBox, readAll, writeParticles } from "./cli-test-kit.js";

const dir = tempDir("tessera-halo-fof-cli-");
afterAll(() => dir.cleanup());

const box = plantedBox(11, { haloCount: 12, background: 2000 });
const L = box.planted.boxSize;
const ell = 1.2 * box.planted.linkingLength;
const particles = join(dir.path, "particles.gio");
const common = ["--linking-length", String(ell), "--min-members", "10", "--particle-mass", "2"];

describe("tessera halo fof", () => {
  it("finds the library's friendsOfFriends groups (the planted halos) and writes tags and catalog", async () => {
    await writeParticles(particles, box.columns, L, 3);
    const output = join(dir.path, "halos.gio");
    const r = await halo(["fof", "--input", particles, "--output", output, ...common]);
    expect(r.status, r.stderr).toBe(0);
    const summary = lastJson(r.stdout);
    expect(summary).toMatchObject({ output, tags: join(dir.path, "halos.tags.gio"), particles: box.n });

    // truth: the library's halo finder on the same positions, ids mapped through the id column
    const c = box.columns;
    const fof = friendsOfFriends(
      { x: c.x, y: c.y, z: c.z },
      { boxSize: L, linkingLength: ell, minMembers: 10 },
    );
    const expected: string[] = [];
    for (let h = 0; h < fof.halos.count; h++) {
      const ids = Array.from(
        fof.halos.members.subarray(fof.halos.offsets[h], fof.halos.offsets[h + 1]),
        (i) => c.id[i],
      );
      expected.push(ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(" "));
    }
    expected.sort();
    const tags = await readAll(join(dir.path, "halos.tags.gio"));
    expect(groupsOfTags(tags)).toEqual(expected);
    // and the planted halos are what it found (the phantom's guarantee)
    expect(fof.halos.count).toBe(box.planted.halos.length);
    expect(summary.halos).toBe(box.planted.halos.length);

    // the catalog is haloProperties of those halos with the ids, mass 2, softening 0.1 ℓ
    const catalog = await readAll(output);
    const truth = haloProperties(
      { x: c.x, y: c.y, z: c.z },
      { x: c.vx, y: c.vy, z: c.vz },
      { halos: fof.halos, linkingLength: ell },
      { boxSize: L, particleMass: 2, ids: c.id },
    );
    expect(Object.keys(catalog)).toEqual(Object.keys(truth));
    for (const [name, column] of Object.entries(truth)) expect(catalog[name], name).toEqual(column);
    expect([...(catalog.fof_halo_count as Int32Array)].sort((a, b) => a - b)).toEqual(
      box.planted.halos.map((h) => h.particleCount).sort((a, b) => a - b),
    );
    // the tag of each halo is its smallest member id; provenance and log beside the outputs
    const tagSet = new Set([...(catalog.fof_halo_tag as BigInt64Array)].map(String));
    expect(new Set([...(tags.fof_halo_tag as BigInt64Array)].map(String))).toEqual(tagSet);
    const provenance = JSON.parse(readFileSync(`${output}.provenance.json`, "utf8"));
    expect(provenance.parameters.linkingLength).toBeCloseTo(ell, 12);
    const log = readFileSync(`${output}.log`, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(log.map((e) => e.msg)).toContain("finished");

    // an existing output is refused without --overwrite, replaced with it
    const again = await halo(["fof", "-i", particles, "-o", output, ...common]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/OutputExistsError: the output exists .*halos\.gio/);
    const over = await halo(["fof", "-i", particles, "-o", output, ...common, "--overwrite"]);
    expect(over.status, over.stderr).toBe(0);
  });

  it("fof plan / block / merge gives exactly the tags and catalog of the whole-box fof", async () => {
    const whole = join(dir.path, "whole.gio");
    const w = await halo(["fof", "-i", particles, "-o", whole, ...common]);
    expect(w.status, w.stderr).toBe(0);
    const work = join(dir.path, "work");
    const plan = await halo([
      "fof",
      "plan",
      "-i",
      particles,
      "--blocks",
      "3,2,2",
      "--workdir",
      work,
      ...common,
    ]);
    expect(plan.status, plan.stderr).toBe(0);
    const planned = lastJson(plan.stdout);
    expect(planned.blocks).toBe(12);
    // merging before every block ran names the task to run
    const early = await halo(["fof", "merge", "--workdir", work, "--output", join(dir.path, "early.gio")]);
    expect(early.status).toBe(2);
    expect(early.stderr).toMatch(/a block has no result yet.*fof block --workdir .* --id 0/);
    expect(existsSync(join(dir.path, "early.gio"))).toBe(false);
    let closed = 0;
    for (const id of [11, 3, 0, 7, 1, 2, 4, 5, 6, 8, 9, 10]) {
      const b = await halo(["fof", "block", "--workdir", work, "--id", String(id)]);
      expect(b.status, b.stderr).toBe(0);
      expect(lastJson(b.stdout).block).toBe(id);
      closed += lastJson(b.stdout).closedHalos as number;
    }
    // some halos straddle block faces: only the merge finds them
    expect(closed).toBeLessThan(box.planted.halos.length);
    const out = join(dir.path, "merged.gio");
    const m = await halo(["fof", "merge", "--workdir", work, "--output", out]);
    expect(m.status, m.stderr).toBe(0);
    expect(lastJson(m.stdout)).toMatchObject({ blocks: 12, halos: box.planted.halos.length });
    expect(await readAll(join(dir.path, "merged.tags.gio"))).toEqual(
      await readAll(join(dir.path, "whole.tags.gio")),
    );
    expect(await readAll(out)).toEqual(await readAll(whole));
    // a block id outside the plan is refused
    const bad = await halo(["fof", "block", "--workdir", work, "--id", "12"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no such block in the plan.*field: --id.*0 to 11/);
    // a block result from another plan is never merged
    const replan = await halo(["fof", "plan", "-i", particles, "--blocks", "2", "-w", work, ...common]);
    expect(replan.status).toBe(2);
    expect(replan.stderr).toMatch(/exists/);
  });

  it("a 2,600-member halo across the box corner, a coordinate equal to L, no id column: merge = whole box", async () => {
    // planted halo 0 (2,600 members: the seeded 2,000-source centre) moved onto the box corner, so
    // it is cut by the periodic boundary and by the faces of all 8 blocks
    const ph = plantedHalos({ seed: 9, haloParticleCounts: [2600, 300, 120], backgroundParticles: 2000 });
    const Lp = ph.boxSize;
    const n = ph.positions.length / 3;
    const c = ph.halos[0].center;
    const col = (src: Float32Array, k: number, shift = 0) =>
      Float32Array.from({ length: n }, (_, i) => {
        let w = src[3 * i + k] + shift;
        w -= Lp * Math.floor(w / Lp);
        const f = Math.fround(w);
        return f >= Lp ? 0 : f;
      });
    const columns = {
      x: col(ph.positions, 0, -c[0]),
      y: col(ph.positions, 1, -c[1]),
      z: col(ph.positions, 2, -c[2]),
      vx: col(ph.velocities, 0),
      vy: col(ph.velocities, 1),
      vz: col(ph.velocities, 2),
    };
    // the member nearest x = 0 from above sits exactly at x = L (the same point)
    let k = -1;
    for (let i = 0; i < n; i++) if (ph.haloIndex[i] === 0 && (k < 0 || columns.x[i] < columns.x[k])) k = i;
    columns.x[k] = Lp;
    const input = join(dir.path, "corner.gio");
    await writeParticles(input, columns, Lp, 2);
    const args = [
      "--linking-length",
      String(1.2 * ph.linkingLength),
      "--min-members",
      "20",
      "--particle-mass",
      "1",
    ];
    const whole = join(dir.path, "corner-whole.gio");
    const w = await halo(["fof", "-i", input, "-o", whole, ...args]);
    expect(w.status, w.stderr).toBe(0);
    const work = join(dir.path, "corner-work");
    const p = await halo(["fof", "plan", "-i", input, "--blocks", "2", "-w", work, ...args]);
    expect(p.status, p.stderr).toBe(0);
    for (let id = 0; id < 8; id++) {
      const b = await halo(["fof", "block", "-w", work, "--id", String(id)]);
      expect(b.status, b.stderr).toBe(0);
    }
    const merged = join(dir.path, "corner-merged.gio");
    const m = await halo(["fof", "merge", "-w", work, "-o", merged]);
    expect(m.status, m.stderr).toBe(0);
    const catalog = await readAll(merged);
    // the planted halos are found (the 2,600-member one whole), tags and rows as the whole-box run
    expect([...(catalog.fof_halo_count as Int32Array)].sort((a, b) => b - a)).toEqual([2600, 300, 120]);
    expect(catalog).toEqual(await readAll(whole));
    expect(await readAll(join(dir.path, "corner-merged.tags.gio"))).toEqual(
      await readAll(join(dir.path, "corner-whole.tags.gio")),
    );
  });

  it("refuses bad input with exit 2 and one line naming the file or field", async () => {
    const missing = await halo(["fof", "-i", join(dir.path, "nope.gio"), "-o", join(dir.path, "x.gio")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.gio/);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    const noInput = await halo(["fof", "-o", join(dir.path, "x.gio")]);
    expect(noInput.status).toBe(2);
    expect(noInput.stderr).toMatch(/UsageError: required option '-i, --input/);
    const column = await halo(["fof", "-i", particles, "-o", join(dir.path, "x.gio"), "--columns", "x,y,q"]);
    expect(column.status).toBe(2);
    expect(column.stderr).toMatch(/no such variable.*particles\.gio.*found: q/);
    const small = await halo([
      "fof",
      "-i",
      particles,
      "-o",
      join(dir.path, "x.gio"),
      "--box",
      "30",
      ...common.slice(2),
    ]);
    expect(small.status).toBe(2);
    expect(small.stderr).toMatch(/ParticleOutsideBoxError/);
    const format = await halo(["fof", "-i", particles, "-o", join(dir.path, "x.txt")]);
    expect(format.status).toBe(2);
    expect(format.stderr).toMatch(/unknown output format.*field: --output/);
    const b = await halo([
      "fof",
      "-i",
      particles,
      "-o",
      join(dir.path, "x.gio"),
      "--linking-parameter",
      "-1",
    ]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/UsageError: .*--linking-parameter.*expected a number > 0/);
    const noPlan = await halo(["fof", "block", "--workdir", join(dir.path, "empty"), "--id", "0"]);
    expect(noPlan.status).toBe(2);
    expect(noPlan.stderr).toMatch(/no plan.*fof plan/);
    rmSync(join(dir.path, "empty"), { recursive: true, force: true });
    expect(existsSync(join(dir.path, "x.gio"))).toBe(false);
  });
});
