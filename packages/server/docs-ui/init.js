// [M4] Renders /openapi.json with Redoc's standalone bundle (loaded just before, from this server).
// A file, not an inline script: the page's CSP allows scripts from 'self' only. Search is off: it
// runs in a Web Worker made from a blob: URL, which that CSP (rightly) refuses.
globalThis.Redoc.init('/openapi.json', { disableSearch: true, expandResponses: '200,201', jsonSampleExpandLevel: 3 }, document.getElementById('api-reference'));
