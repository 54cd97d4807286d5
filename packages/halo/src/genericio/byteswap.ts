/** Reverse the bytes of every `elementSize`-byte element of `bytes`, in place (1 is a no-op). */
export function swapBytes(bytes: Uint8Array, elementSize: number): void {
  const n = bytes.length;
  if (elementSize === 2) {
    for (let i = 0; i + 1 < n; i += 2) {
      const a = bytes[i];
      bytes[i] = bytes[i + 1];
      bytes[i + 1] = a;
    }
  } else if (elementSize === 4) {
    for (let i = 0; i + 3 < n; i += 4) {
      const a = bytes[i];
      const b = bytes[i + 1];
      bytes[i] = bytes[i + 3];
      bytes[i + 1] = bytes[i + 2];
      bytes[i + 2] = b;
      bytes[i + 3] = a;
    }
  } else if (elementSize === 8) {
    for (let i = 0; i + 7 < n; i += 8) {
      for (let k = 0; k < 4; k++) {
        const a = bytes[i + k];
        bytes[i + k] = bytes[i + 7 - k];
        bytes[i + 7 - k] = a;
      }
    }
  }
}

/** True when this machine stores numbers little-endian. */
export const HOST_LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
