// The API's own description (static/openapi.json) as a test oracle: every response the HTTP
// tests receive from a documented route must match what the document says for that method,
// path and status. harness.mjs's api() calls checkResponse() on every response.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DOCUMENT = JSON.parse(readFileSync(path.join(ROOT, 'static/openapi.json'), 'utf8'));

// Statuses any route may answer without listing them: the shim's own (405, 413, 429 from
// per-address limits, 503 while the database is away) and 500, always in the error shape.
const ANY_ROUTE = new Set([405, 413, 429, 500, 503]);

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi', components: DOCUMENT.components });

// "/event/{id}/artist/{artist_id}" → /^\/event\/[^/]+\/artist\/[^/]+$/
const templates = Object.keys(DOCUMENT.paths).map((template) => ({
  template,
  re: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

export function documentedPath(urlPath) {
  const clean = urlPath.split('?')[0].replace(/\/{2,}/g, '/');
  return templates.find((t) => t.re.test(clean))?.template ?? null;
}

const validators = new Map();
function validatorFor(schema) {
  const key = JSON.stringify(schema);
  if (!validators.has(key)) {
    validators.set(key, ajv.compile(rebase(schema)));
  }
  return validators.get(key);
}

// The document's $refs point at "#/components/..."; compiled on their own they must name
// the schema registered above.
function rebase(schema) {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'));
}

// Throws an Error naming the mismatch; undocumented paths (static files, the page) pass.
export function checkResponse(method, urlPath, status, contentType, body) {
  const template = documentedPath(urlPath);
  const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  // No body to check: preflights, HEAD, 304.
  if (!template || verb === 'options' || method.toUpperCase() === 'HEAD' || status === 304) return;
  const where = `${method} ${urlPath} → ${status}`;
  const operation = DOCUMENT.paths[template][verb];
  if (!operation) {
    if (status !== 405) throw new Error(`${where}: the document has no ${verb} for ${template}`);
    return;
  }
  let response = operation.responses[String(status)];
  if (!response && ANY_ROUTE.has(status)) response = DOCUMENT.components.responses.Error;
  if (!response) throw new Error(`${where}: status not documented for ${verb} ${template}`);
  if (response.$ref) response = DOCUMENT.components.responses[response.$ref.split('/').pop()];
  const media = (contentType ?? '').split(';')[0].trim();
  const content = response.content?.[media];
  if (!content) throw new Error(`${where}: ${media || 'no content type'} not documented`);
  const validate = validatorFor(content.schema);
  if (!validate(body)) {
    throw new Error(`${where}: body does not match the document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
  }
}
