/*
 * Evidence photos chosen on this phone, kept in IndexedDB (localStorage holds strings of a few MB; photos are
 * blobs of several MB each) until their report is stored. Each photo remembers the evidence id the hub gave it,
 * written as soon as the upload is answered, so a photo is uploaded once however often its report is retried; an
 * upload whose answer was lost is sent again with the photo's id as its Idempotency-Key, and the hub stores it once.
 */

export interface Photo {
  /** Chosen on the phone (a UUID), before any upload; also its upload's Idempotency-Key. */
  id: string;
  name: string;
  type: string;
  size: number;
  blob: Blob;
  /** The hub's evidence id once uploaded (POST /evidence). */
  evidenceId?: string;
}

const DATABASE = "kawal-lapor";
const STORE = "photos";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Runs one request in its own transaction and resolves with its result once the transaction committed. */
async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const database = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = database.transaction(STORE, mode);
      const request = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  } finally {
    database.close();
  }
}

/** Keeps a chosen file on the phone and returns it as a photo (not yet uploaded). */
export async function keepPhoto(file: File, id: string): Promise<Photo> {
  const photo: Photo = { id, name: file.name, type: file.type, size: file.size, blob: file };
  await run("readwrite", (store) => store.put(photo));
  return photo;
}

export function photoById(id: string): Promise<Photo | undefined> {
  return run("readonly", (store) => store.get(id) as IDBRequest<Photo | undefined>);
}

export async function markUploaded(id: string, evidenceId: string): Promise<void> {
  const photo = await photoById(id);
  if (photo) await run("readwrite", (store) => store.put({ ...photo, evidenceId }));
}

export async function forgetPhotos(ids: readonly string[]): Promise<void> {
  for (const id of ids) await run("readwrite", (store) => store.delete(id));
}
