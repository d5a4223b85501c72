import "server-only";
import { chmod, mkdir, readdir, stat } from "node:fs/promises";
import path from "node:path";

/**
 * PGlite writes its files with mode 0666 whatever the umask, and rewrites some of them (such as
 * pg_internal.init) with its own modes later, so file modes alone cannot keep other local accounts
 * away from password hashes and sessions. The folders can: CALSYNC_DATA_DIR and its pglite/ folder are
 * 0700 and must belong to the account the console runs as.
 */

export class DataFolderError extends Error {
  override name = "DataFolderError";
}

const PRIVATE_FOLDER = 0o700;
const PRIVATE_FILE = 0o600;

async function privateFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: PRIVATE_FOLDER });
  const stats = await stat(folder);
  if (!stats.isDirectory()) throw new DataFolderError(`The data folder ${folder} is not a folder. Set CALSYNC_DATA_DIR to a folder.`);
  const uid = process.getuid?.();
  // Checked before any change: a folder of another account is left exactly as it was.
  if (uid !== undefined && stats.uid !== uid) {
    throw new DataFolderError(
      `The data folder ${folder} belongs to another user (uid ${stats.uid}), but the console runs as uid ${uid}. ` +
        "Nothing was changed. Start the console as the folder's owner, give the folder to the console's account (chown -R), or set CALSYNC_DATA_DIR to a folder of its own.",
    );
  }
  // A sticky folder is shared by design (/tmp, /var/tmp): making it private would break every other
  // account on the host, so it is refused rather than tightened.
  if (stats.mode & 0o1000) {
    throw new DataFolderError(
      `The data folder ${folder} is a shared folder (sticky bit set, like /tmp). Nothing was changed. Set CALSYNC_DATA_DIR to a folder of its own, such as ${path.join(folder, "calsync")}.`,
    );
  }
  if ((stats.mode & 0o777) !== PRIVATE_FOLDER) await chmod(folder, PRIVATE_FOLDER);
}

/**
 * Before the embedded database opens: creates the data folder (the parent of `pgliteDir`) and
 * `pgliteDir` private to this account, tightens them if an earlier start left them open, and refuses a
 * data folder that belongs to another account.
 */
export async function prepareDataFolder(pgliteDir: string): Promise<void> {
  await privateFolder(path.dirname(pgliteDir));
  await privateFolder(pgliteDir);
}

/**
 * Once the database is open: every file under the data folder 0600 and every folder 0700, including
 * the ones PGlite has just written. Links are left alone, never followed.
 */
export async function tightenDataFolder(pgliteDir: string): Promise<void> {
  const dataDir = path.dirname(pgliteDir);
  const entries = await readdir(dataDir, { recursive: true, withFileTypes: true });
  await Promise.all(
    entries.map(async (entry) => {
      const file = path.join(entry.parentPath, entry.name);
      const mode = entry.isDirectory() ? PRIVATE_FOLDER : entry.isFile() ? PRIVATE_FILE : undefined;
      if (mode === undefined) return;
      try {
        await chmod(file, mode);
      } catch (error) {
        throw new DataFolderError(
          `Cannot make ${file} private (${(error as NodeJS.ErrnoException).code ?? "error"}). Everything in the data folder must belong to the account the console runs as (chown -R).`,
        );
      }
    }),
  );
}
