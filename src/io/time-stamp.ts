/** The UTC time as folder names carry it: YYYYMMDD-HHMMSS. */
export function folderTimeStamp(now = new Date()): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
