import { ValidateError } from "../errors.js";

/**
 * Bad input to the mock-galaxy step (a missing or malformed halo column, an option out of range):
 * `field` names the column or option, `expected` and `found` say what was wrong.
 */
export class MockGalaxyError extends ValidateError {}
