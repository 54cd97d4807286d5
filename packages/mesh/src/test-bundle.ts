import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** A fresh build of this package's sources (test use only), and how to remove it. */
export interface SourceBundle {
  /** The bundled `src/index.ts`; its workers (`mc-worker.js`, `simplify-worker.js`) lie beside it. */
  index: string;
  /** The bundled `src/simplify-worker.ts`. */
  simplifyWorker: string;
  /** The bundled `src/mc-worker.ts`. */
  marchingCubesWorker: string;
  cleanup(): void;
}

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Bundle the package's entry points and worker modules from `src/` (esbuild, sibling `@tessera/*`
 * packages from their sources too) into a fresh folder under `node_modules/.cache`, where npm
 * packages resolve as they do for `dist/`. Tests that need real worker threads or a child process
 * run this instead of a `dist/` that may be older than the sources.
 */
export async function bundleSources(): Promise<SourceBundle> {
  const outdir = join(root, "node_modules", ".cache", `source-bundle-${process.pid}-${Date.now()}`);
  mkdirSync(outdir, { recursive: true });
  // package scopes end at node_modules: say that the bundles are ES modules
  writeFileSync(join(outdir, "package.json"), '{ "type": "module" }\n');
  await build({
    entryPoints: {
      index: join(root, "src", "index.ts"),
      "mc-worker": join(root, "src", "mc-worker.ts"),
      "simplify-worker": join(root, "src", "simplify-worker.ts"),
    },
    outdir,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outExtension: { ".js": ".js" },
    conditions: ["@tessera/source"],
    logLevel: "error",
    plugins: [
      {
        // npm packages stay imports (resolved from node_modules); workspace packages are bundled
        name: "external-npm",
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith("@tessera/") ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  return {
    index: join(outdir, "index.js"),
    simplifyWorker: join(outdir, "simplify-worker.js"),
    marchingCubesWorker: join(outdir, "mc-worker.js"),
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}
