declare module "draco3d" {
  // biome-ignore lint/suspicious/noExplicitAny: the emscripten module has no published types
  export function createEncoderModule(options?: object): Promise<any>;
  // biome-ignore lint/suspicious/noExplicitAny: the emscripten module has no published types
  export function createDecoderModule(options?: object): Promise<any>;
}
