/** Sizes in the messages of refused downloads (DownloadRefusedError): whole MiB above one, bytes below. */
export function formatMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${mib.toFixed(mib >= 100 ? 0 : 1)} MiB (${bytes} bytes)` : `${bytes} bytes`;
}
