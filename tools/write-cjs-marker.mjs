// [R4] `dist/cjs` holds a CommonJS build beside the ESM one; this package.json makes Node read its
// .js files as CommonJS even though the package itself is "type": "module".
import fs from 'node:fs';
import path from 'node:path';
for (const dir of process.argv.slice(2)) {
  fs.mkdirSync(path.join(dir, 'dist/cjs'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n');
}
