// The files bucket as the use cases see it: the S3 adapter (./objectStore.ts) is loaded on the first call, so functions
// that never touch a file, and the requests of those that do which carry none, do not load the S3 client.
const objects = () => import('./objectStore.js');

export const putFile = async (input: { key: string; body: Buffer; contentType: string; sha256: string }) =>
  (await objects()).putObject(input);

export const getFile = async (key: string) => (await objects()).getObject(key);

export const deleteFiles = async (keys: readonly string[]) => (await objects()).deleteObjects(keys);
