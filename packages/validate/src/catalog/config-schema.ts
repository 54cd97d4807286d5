/** The zod schema of a catalog config file (YAML). */
import { z } from "zod";

/** A native column and the unit it is stored in. */
const columnMapping = z
  .object({
    /** Native column (GenericIO variable, CSV header, zarr array, HDF5 dataset under `hdf5.group`). */
    column: z.string().min(1),
    /** Unit of the native column (see `UNITS`); converted to the quantity's standard unit. */
    unit: z.string().optional(),
  })
  .strict();

/** A length with its unit, or a number in Mpc/h. */
const lengthValue = z.union([
  z.number().positive(),
  z.object({ value: z.number().positive(), unit: z.string() }).strict(),
]);

/** Schema of a catalog config. */
export const CatalogConfigSchema = z
  .object({
    /** Name of the catalog (reports). */
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    /** Reader of the files. */
    reader: z.enum(["genericio", "csv", "zarr", "hdf5"]),
    /** File pattern (glob: `*`, `?`, `[…]`, `{a,b}`), relative to the config's folder; every match is part of the catalog. */
    files: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** Preset name (`PLANCK18`, `OUTER_RIM`, `CCL_MODEL1`) or parameters (`@tessera/cosmology` schema). */
    cosmology: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    /** Side of the periodic box (a number: Mpc/h). */
    boxSize: lengthValue.optional(),
    /** Sky area of a lightcone catalog, deg². */
    skyAreaDeg2: z.number().positive().optional(),
    /** Redshift of a snapshot catalog (gives the `redshift` quantity when no column is mapped). */
    redshift: z.number().min(0).optional(),
    /** Redshift of each matched file in sorted order (per-step files). */
    redshifts: z.array(z.number().min(0)).min(1).optional(),
    /** Standard quantity → native column (a string for dimensionless quantities and ids). */
    quantities: z.record(z.string(), z.union([z.string().min(1), columnMapping])),
    /** Derived quantity name → mathjs expression over quantities (standard units). */
    derived: z.record(z.string(), z.string().min(1)).optional(),
    /** Filters applied to every read: boolean mathjs expressions. */
    filters: z.array(z.string().min(1)).optional(),
    /** CSV options. */
    csv: z
      .object({ delimiter: z.string().length(1).default(","), comment: z.string().length(1).optional() })
      .strict()
      .optional(),
    /** HDF5 options: the group holding the 1-D datasets (default: the root). */
    hdf5: z
      .object({ group: z.string().default("") })
      .strict()
      .optional(),
    /** GenericIO options. */
    genericio: z
      .object({ verifyCrc: z.boolean().default(true) })
      .strict()
      .optional(),
  })
  .strict();

/** A catalog config as written in YAML (after schema validation). */
export type CatalogConfigInput = z.infer<typeof CatalogConfigSchema>;
