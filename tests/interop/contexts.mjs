// The JSON-LD contexts and documents this project publishes offline (contexts/MANIFEST), for the
// test bridges in this folder: they never fetch a context from the network.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const contextsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'contexts');

// url -> the document's text, as contexts/MANIFEST lists them ("url<TAB>file" lines).
export const publishedTexts = new Map();
for(const line of readFileSync(join(contextsDir, 'MANIFEST'), 'utf8').split('\n')) {
  if(line && !line.startsWith('#')) {
    const [url, file] = line.split('\t');
    publishedTexts.set(url, readFileSync(join(contextsDir, 'documents', file), 'utf8'));
  }
}

const documents = new Map([...publishedTexts].map(([url, text]) => [url, JSON.parse(text)]));

// A jsonld.js document loader over those documents; `fallback(url)` may answer others (a
// document, or undefined); anything else fails as it would offline.
export function offlineDocumentLoader(fallback = () => undefined) {
  return async url => {
    const document = documents.get(url) ?? fallback(url);
    if(document === undefined) {
      throw new Error(`document not available offline: ${url}`);
    }
    return {contextUrl: null, documentUrl: url, document};
  };
}
